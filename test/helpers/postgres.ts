/**
 * Real Postgres for tests. The global setup migrates one template database;
 * each test file clones it (CREATE DATABASE … TEMPLATE is a file copy, far
 * faster than migrating) into a database of its own and drops it afterwards.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(dbName: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

/** A fresh, migrated database for one test file. Call `drop()` in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const name = `paperboy_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
  const url = urlFor(name);
  const database = await openDatabase({ url, poolSize: 10 });
  return {
    ...database,
    url,
    name,
    async drop() {
      await database.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
