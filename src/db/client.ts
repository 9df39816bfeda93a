/**
 * One database handle for both back-ends: node-postgres when DATABASE_URL is
 * set, PGlite (Postgres in WebAssembly, on disk under DATA_DIR) otherwise. Both
 * are drizzle PgDatabase instances, so every query in the project runs on both.
 * On disk, PGlite is shared between processes through the one that serves it
 * (embedded.ts): they reach it with node-postgres over a Unix socket.
 */
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { openEmbedded, type EmbeddedRole } from './embedded.ts';
import { migratePglite } from './migrate.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, without credentials, for log lines. */
  location: string;
  /** node-postgres pool, only for kind 'postgres' (migration locks, benchmarks). */
  pool?: pg.Pool;
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; unset → PGlite. */
  url?: string;
  /** PGlite directory; 'memory://' keeps it in memory (tests). */
  pgliteDir?: string;
  /** How this process shares an on-disk PGlite (embedded.ts); default 'join-or-lock'. */
  embedded?: EmbeddedRole;
  poolSize?: number;
}

/**
 * Pools into the one PGlite session behind a socket: a named prepared
 * statement made by one connection would clash with the same name from
 * another, so prepared.ts runs statements unnamed on these.
 */
export const sharedSessionPools = new WeakSet<pg.Pool>();

// Postgres `date` columns stay 'YYYY-MM-DD' strings; drizzle maps them itself.
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client losing its server must not crash the process.
    pool.on('error', () => {});
    const u = new URL(opts.url);
    return {
      db: drizzlePg({ client: pool, schema }) as unknown as Db,
      kind: 'postgres',
      location: `${u.protocol}//${u.host}${u.pathname}`,
      pool,
      close: () => pool.end(),
    };
  }
  const dir = opts.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) return openSharedPglite(path.resolve(dir), opts.embedded ?? 'join-or-lock');
  // Loaded only when used: the WebAssembly Postgres adds ~45 MB to every
  // process, and production processes talk to a real Postgres.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  const client = await PGlite.create(dir);
  return {
    db: drizzlePglite({ client, schema }) as unknown as Db,
    kind: 'pglite',
    location: dir,
    pglite: client,
    close: () => client.close(),
  };
}

async function openSharedPglite(dir: string, role: EmbeddedRole): Promise<Database> {
  const handle = await openEmbedded(dir, role, migratePglite);
  const location = `${dir} (opened by ${handle.via})`;
  if (handle.pool) {
    sharedSessionPools.add(handle.pool);
    return { db: drizzlePg({ client: handle.pool, schema }) as unknown as Db, kind: 'pglite', location, pool: handle.pool, close: handle.close };
  }
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  return { db: drizzlePglite({ client: handle.pglite!, schema }) as unknown as Db, kind: 'pglite', location, pglite: handle.pglite, close: handle.close };
}

/** PGlite lives at DATA_DIR/pglite; a missing DATABASE_URL means embedded. */
export function databaseOptionsFromConfig(config: { DATABASE_URL?: string; DATA_DIR: string }, embedded?: EmbeddedRole): DatabaseOptions {
  return config.DATABASE_URL
    ? { url: config.DATABASE_URL }
    : { pgliteDir: path.join(config.DATA_DIR, 'pglite'), embedded };
}
