/**
 * queryRows with a name (the send path's per-batch statements): on Postgres a
 * named prepared statement, planned once per connection, answering with the
 * same rows as the unnamed statement; on PGlite the unnamed statement.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/rows.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

const statement = (ids: string[]) =>
  sql`SELECT x.id, ${new Date('2025-12-16T07:00:00Z').toISOString()}::timestamptz AS at, '2025-12-16'::date AS day, 3::int AS n
      FROM unnest(${sql.param(ids)}::text[]) WITH ORDINALITY AS x(id, k) ORDER BY k`;

describe('named statements', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let single: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection, so the session that prepared the statement is the one asked.
    single = await openDatabase({ url: database.url, poolSize: 1 });
  });
  afterAll(async () => {
    await single.close();
    await database.drop();
  });

  it('prepares once per connection and answers as the unnamed statement does', async () => {
    const unnamed = await queryRows(single.db, statement(['a', 'b']));
    const named = await queryRows(single.db, statement(['a', 'b']), 'test_rows');
    expect(named).toEqual(unnamed);
    // Dates and timestamps as Postgres writes them, as drizzle returns them.
    expect(named[0]).toEqual({ id: 'a', at: '2025-12-16 07:00:00+00', day: '2025-12-16', n: 3 });
    expect(await queryRows(single.db, statement(['c']), 'test_rows')).toEqual([{ id: 'c', at: '2025-12-16 07:00:00+00', day: '2025-12-16', n: 3 }]);
    const prepared = await queryRows<{ name: string }>(single.db, sql`SELECT name FROM pg_prepared_statements WHERE name LIKE 'pb_test_rows%'`);
    expect(prepared).toHaveLength(1);
  });

  it('runs the statement unnamed on PGlite', async () => {
    const embedded = await openDatabase({ pgliteDir: 'memory://' });
    try {
      const rows = await queryRows<{ id: string; n: number }>(embedded.db, statement(['a']), 'test_rows');
      expect(rows.map((r) => [r.id, r.n])).toEqual([['a', 3]]);
      expect(await queryRows(embedded.db, sql`SELECT name FROM pg_prepared_statements`)).toEqual([]);
    } finally {
      await embedded.close();
    }
  });
});
