/**
 * Who opens the embedded database, and how the others reach it. One process
 * at a time may open a PGlite directory (two would each write their own copy,
 * and one's writes vanish), so a lock file next to it names the process that
 * has it and, if that process serves it, the socket to connect to:
 *
 *   serve          (`paperboy start`, `serve`) open it and serve it; refuse if
 *                  another process already serves this folder
 *   serve-or-join  (`paperboy worker`) serve it, or connect to whoever does
 *   join-or-lock   (every other command) connect to the server if one runs,
 *                  otherwise hold it for the length of the command
 *
 * A holder that is not serving (a command) is waited for; a lock whose
 * process is gone (killed) is taken over. Everyone who goes through the
 * socket — the serving process's own code included — is a node-postgres
 * client, so the embedded default runs the same driver as production.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { servePglite, type PgliteSocketServer } from './pglite-server.ts';

export type EmbeddedRole = 'serve' | 'serve-or-join' | 'join-or-lock';

/** How long a command waits for another command holding the database. */
const WAIT_FOR_HOLDER_MS = 60_000;

export class DatabaseInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseInUseError';
  }
}

interface LockContent {
  pid: number;
  /** The socket directory, when the holder serves the database. */
  socket?: string;
}

export interface EmbeddedHandle {
  /** Set when this process opened the directory itself. */
  pglite?: import('@electric-sql/pglite').PGlite;
  /** Set when this process talks to it through the socket (its own or another's). */
  pool?: pg.Pool;
  /** Who serves it, for the start-up line. */
  via: string;
  close(): Promise<void>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

/** Creates the lock with its content in one step (link fails if it exists), or says who holds it. */
function tryLock(file: string, content: LockContent): LockContent | 'ours' {
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(content));
  try {
    linkSync(tmp, file);
    return 'ours';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = readLock(file);
    if (holder && alive(holder.pid)) return holder;
    // Its process is gone: the lock is nobody's.
    rmSync(file, { force: true });
    return tryLock(file, content);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A pool to the server on `dir`; fails if nobody answers there. */
async function connect(dir: string, max: number): Promise<pg.Pool> {
  const pool = new pg.Pool({ host: dir, port: 5432, user: 'postgres', database: 'postgres', max });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

export async function openEmbedded(dir: string, role: EmbeddedRole, migrate: (pglite: import('@electric-sql/pglite').PGlite) => Promise<void>): Promise<EmbeddedHandle> {
  mkdirSync(path.dirname(dir), { recursive: true });
  const lockFile = `${dir}.lock`;
  const socketDir = `${dir}-socket`;
  const serving = role !== 'join-or-lock';
  const deadline = Date.now() + WAIT_FOR_HOLDER_MS;
  for (;;) {
    const holder = tryLock(lockFile, { pid: process.pid, ...(serving ? { socket: socketDir } : {}) });
    if (holder === 'ours') return own(dir, lockFile, serving ? socketDir : undefined, migrate);
    if (holder.socket) {
      if (role === 'serve') {
        throw new DatabaseInUseError(`paperboy is already running on ${path.dirname(dir)} (pid ${holder.pid}); stop it first, or give this one another DATA_DIR`);
      }
      const pool = await connect(holder.socket, 4).catch(() => undefined);
      if (pool) return { pool, via: `the socket served by pid ${holder.pid}`, close: () => pool.end() };
      // Still starting (the socket is not listening yet): try again shortly.
    }
    if (Date.now() > deadline) {
      throw new DatabaseInUseError(`the embedded database ${dir} is held by another paperboy command (pid ${holder.pid}); try again when it has finished`);
    }
    await sleep(200);
  }
}

async function own(dir: string, lockFile: string, socketDir: string | undefined, migrate: (pglite: import('@electric-sql/pglite').PGlite) => Promise<void>): Promise<EmbeddedHandle> {
  const release = () => {
    if (readLock(lockFile)?.pid === process.pid) rmSync(lockFile, { force: true });
  };
  let pglite: import('@electric-sql/pglite').PGlite | undefined;
  let server: PgliteSocketServer | undefined;
  try {
    // Loaded only when used: the WebAssembly Postgres adds ~45 MB to every
    // process, and production processes talk to a real Postgres.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dir);
    if (!socketDir) {
      const db = pglite;
      return { pglite: db, via: 'this process', close: async () => { await db.close(); release(); } };
    }
    // Migrated before anyone else can connect.
    await migrate(pglite);
    server = await servePglite(pglite, socketDir);
    const pool = await connect(socketDir, 4);
    const [db, srv] = [pglite, server];
    return {
      pool,
      via: `this process, served on ${socketDir} to the other paperboy commands`,
      async close() {
        await pool.end();
        await srv.close();
        await db.close();
        release();
      },
    };
  } catch (err) {
    await server?.close().catch(() => {});
    await pglite?.close().catch(() => {});
    release();
    throw err;
  }
}
