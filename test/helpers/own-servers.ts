/**
 * Throwaway Redis and Postgres servers for the fault suite: the scenarios
 * kill, empty and restart them, which must never happen to the shared ones on
 * 127.0.0.1 (other test runs use those). Each lives in a temp folder on a
 * free port and is stopped (and its folder removed) by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
  }
}

export interface OwnRedis {
  url: string;
  /** SIGKILL the server (no save), then start it again on the same port: from its AOF, or empty. */
  restart(opts: { keepData: boolean; downMs?: number }): Promise<void>;
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of our own; `aof` keeps every write in an append-only file (fsync always). */
export async function startOwnRedis(opts: { aof?: boolean } = {}): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const start = async () => {
    const persistence = opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir], { stdio: 'ignore' });
    await until('redis-server', async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {}); // refused until it is up: that is what we wait for
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    });
  };
  const kill = async () => {
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    async restart({ keepData, downMs = 1000 }) {
      await kill();
      if (!keepData) rmSync(dir, { recursive: true, force: true });
      execFileSync('mkdir', ['-p', dir]);
      await sleep(downMs);
      await start();
    },
    async flushAll() {
      const r = new Redis(url);
      await r.flushall();
      await r.quit();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnPostgres {
  /** The `postgres` database (trust auth), for CREATE DATABASE and the app. */
  url: (db: string) => string;
  /** A fast shutdown (every connection dropped) and a start on the same port. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A Postgres 15 cluster of our own (initdb in a temp folder), run as the `postgres` user when we are root. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (bin: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { stdio: 'ignore' }) : execFileSync(join(PG_BIN, bin), args, { stdio: 'ignore' });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async restart({ downMs = 2000 } = {}) {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      await sleep(downMs);
      start();
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
