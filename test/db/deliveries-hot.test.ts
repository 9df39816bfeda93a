/**
 * A sent delivery is written three times (planned, claimed, settled). The
 * last two must be heap-only (HOT) updates — no new index entries, dead
 * versions reclaimed by the page itself — which holds only while no index
 * covers a column they change (schema.ts, deliveries). These tests fail when
 * an index on such a column comes back.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/rows.ts';
import { subscribers } from '../../src/db/schema.ts';
import { claimDeliveries, finishDeliveries } from '../../src/delivery/deliveries.repo.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
// One connection, so every statement's table statistics come from one backend.
let single: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  single = await openDatabase({ url: database.url, poolSize: 1 });
});
afterAll(async () => {
  await single?.close();
  await database?.drop();
});

// Columns the claim, the lease and the outcome write.
const MUTABLE = ['status', 'reason', 'attempts', 'chosen_papers', 'lease_until', 'updated_at', 'sent_at'];

it('indexes no column that the claim or the outcome changes', async () => {
  const rows = await queryRows<{ index: string; column: string }>(
    database.db,
    sql`SELECT i.relname AS index, a.attname AS column
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0
          AND (a.attnum = ANY(x.indkey::int2[]) OR pg_get_expr(x.indexprs, x.indrelid) ~ a.attname OR pg_get_expr(x.indpred, x.indrelid) ~ a.attname)
        WHERE t.relname = 'deliveries'`,
  );
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((r) => MUTABLE.includes(r.column))).toEqual([]);
});

it('claims and settles a delivery with heap-only updates', async () => {
  const now = new Date('2025-12-08T12:00:00Z');
  await single.db.insert(subscribers).values({ email: 'hot@example.org', status: 'active', sendHour: 7 });
  const [planned] = await planDeliveries(single.db, { now });
  expect(await claimDeliveries(single.db, [{ id: planned!.id, paperIds: ['2512.00001', '2512.00002'] }], now, 60)).toHaveLength(1);
  expect(await finishDeliveries(single.db, [{ id: planned!.id, outcome: { status: 'sent' } }], now)).toEqual([planned!.id]);
  // Statistics reach shared memory when the backend goes idle: flush, then read them afresh.
  await single.db.execute(sql`SELECT pg_stat_force_next_flush()`);
  const [stats] = await queryRows<{ upd: number; hot: number }>(
    single.db,
    sql`SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'deliveries'`,
  );
  expect(stats).toEqual({ upd: 2, hot: 2 });
});
