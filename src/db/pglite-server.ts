/**
 * The embedded database served to other processes over a Unix socket, so that
 * every `paperboy` command works on the same data while `npm start` runs.
 * PGlite is one Postgres session in one process; two processes opening its
 * directory each get their own copy and one's writes are lost when the other
 * closes. With this, the process that opened it serves the Postgres wire
 * protocol and everyone else — the owner's own code included — talks to it
 * through node-postgres, exactly as to a real server.
 *
 * `@electric-sql/pglite-socket` does the wire protocol (message framing, SSL
 * and cancel requests); the queue that shares the session is ours. The
 * package's own hands the session to another connection whenever PGlite is
 * not inside a transaction, and one message that throws leaves it stuck for
 * good (both in electric-sql/pglite#1046); this one keeps the session with a
 * connection from its first message until Postgres reports ReadyForQuery
 * idle — the end of its query, or of its transaction — and carries on past
 * a failed message.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';

/** node-postgres finds a server at `<host dir>/.s.PGSQL.<port>`. */
export const SOCKET_PORT = 5432;
export const socketFile = (dir: string) => path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;

interface Waiting {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: Error) => void;
}

/** ReadyForQuery is 'Z', length 5, then the transaction status: 'I' idle, 'T' in a transaction, 'E' failed one. */
const endsIdle = (tail: Uint8Array) => tail.length >= 6 && tail[tail.length - 6] === 0x5a && tail[tail.length - 5] === 0 && tail[tail.length - 2] === 5 && tail[tail.length - 1] === 0x49;
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
/** A simple-protocol Query message. */
function queryMessage(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`);
  const msg = Buffer.alloc(5 + body.length);
  msg.write('Q', 0);
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return msg;
}
const ROLLBACK = queryMessage('ROLLBACK');

class SessionQueue {
  private waiting: Waiting[] = [];
  private owner: number | null = null;
  private running = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        // The owner's next message, or (no owner) whoever waited longest.
        const i = this.owner === null ? 0 : this.waiting.findIndex((w) => w.handlerId === this.owner);
        if (i < 0 || i >= this.waiting.length) return;
        const next = this.waiting.splice(i, 1)[0]!;
        this.owner = next.handlerId;
        let tail = new Uint8Array(0);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(next.message, {
              onRawData: (data) => {
                bytes += data.length;
                tail = data.length >= 6 ? data.slice(-6) : Uint8Array.from([...tail, ...data].slice(-6));
                next.onData(data);
              },
            }),
          );
        } catch (err) {
          next.reject(err as Error);
          continue;
        }
        if (endsIdle(tail)) this.owner = null;
        next.resolve(bytes);
      }
    } finally {
      this.running = false;
    }
  }

  clearQueueForHandler(handlerId: number): void {
    for (const w of this.waiting.filter((x) => x.handlerId === handlerId)) w.reject(new Error('connection closed'));
    this.waiting = this.waiting.filter((x) => x.handlerId !== handlerId);
  }

  /** A connection gone while holding the session: end what it left open, hand the session on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.db.runExclusive(async () => {
      // A Sync ends an extended-protocol batch it left half-sent; then roll back its transaction.
      await this.db.execProtocolRawStream(SYNC, { onRawData: () => {} });
      if (this.db.isInTransaction()) await this.db.execProtocolRawStream(ROLLBACK, { onRawData: () => {} });
    });
    this.owner = null;
    void this.pump();
  }
}

export interface PgliteSocketServer {
  /** The directory node-postgres takes as `host`. */
  dir: string;
  close(): Promise<void>;
}

/** Serves `db` on `<dir>/.s.PGSQL.5432`, a directory only this user can enter. */
export async function servePglite(db: PGlite, dir: string): Promise<PgliteSocketServer> {
  const file = socketFile(dir);
  if (file.length > MAX_SOCKET_PATH) {
    throw new Error(`the embedded database's socket path ${file} is longer than ${MAX_SOCKET_PATH} characters: set a shorter DATA_DIR`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // Left behind by a process that died: we hold the lock, so it is nobody's.
  rmSync(file, { force: true });
  const queue = new SessionQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'], closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  return {
    dir,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers].map((h) => h.detach(true)));
      await closed;
      rmSync(file, { force: true });
    },
  };
}
