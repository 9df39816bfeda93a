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

export async function queryPrepared<T>(db: Db, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  const client = (db as unknown as { $client: pg.Pool | PGlite }).$client;
  if (client instanceof pg.Pool) {
    const named = sharedSessionPools.has(client) ? {} : { name: statement.name };
    return (await client.query<T & pg.QueryResultRow>({ ...named, text: statement.text, values })).rows;
  }
  return (await client.query<T>(statement.text, values)).rows;
}
