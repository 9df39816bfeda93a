/**
 * Raw SQL as a named prepared statement, for the few hot statements where
 * Postgres' planning costs more than executing (a multi-CTE statement is
 * planned on every call otherwise: half its time). node-postgres prepares it
 * once per pooled connection and reuses the plan; PGlite, one session
 * (in-process, or shared over its socket), simply runs it.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sharedSessionPools, type Db } from './client.ts';

export interface PreparedStatement {
  /** Unique per statement text: Postgres keys the cached plan by it. */
  name: string;
  text: string;
}

/** Whether statements run on `db` under their names: a Postgres server's own pool (not PGlite's shared session). */
export function namesStatements(db: Db): boolean {
  const client = (db as unknown as { $client?: unknown }).$client;
  return client instanceof pg.Pool && !sharedSessionPools.has(client);
}

export async function queryPrepared<T>(db: Db, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  const client = (db as unknown as { $client: pg.Pool | PGlite }).$client;
  if (client instanceof pg.Pool) {
    const named = namesStatements(db) ? { name: statement.name } : {};
    return (await client.query<T & pg.QueryResultRow>({ ...named, text: statement.text, values, types: DRIZZLE_TYPES })).rows;
  }
  return (await client.query<T>(statement.text, values)).rows;
}

// The rows drizzle's node-postgres driver returns for db.execute: dates,
// timestamps and intervals (and their arrays) as Postgres writes them, so a
// named statement's rows are the same as an unnamed one's (db/rows.ts).
const RAW_TYPES = new Set([pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.TIMESTAMP, pg.types.builtins.DATE, pg.types.builtins.INTERVAL, 1231, 1115, 1185, 1187, 1182]);
const DRIZZLE_TYPES = {
  getTypeParser: ((id: number, format?: 'text' | 'binary') => (RAW_TYPES.has(id) ? (v: string) => v : pg.types.getTypeParser(id, format))) as pg.CustomTypesConfig['getTypeParser'],
};
