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
  expect(await finishDeliveries(single.db, [{ id: planned!.id, outcome: { status: 'sent', paperIds: ['2512.00001', '2512.00002'] } }], now)).toEqual([planned!.id]);
  // Statistics reach shared memory when the backend goes idle: flush, then read them afresh.
  await single.db.execute(sql`SELECT pg_stat_force_next_flush()`);
  const [stats] = await queryRows<{ upd: number; hot: number }>(
    single.db,
    sql`SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'deliveries'`,
  );
  expect(stats).toEqual({ upd: 2, hot: 2 });
});

/**
 * Bytes per delivery row (README, Postgres size per day). A settled row is
 * its planned row plus updated_at: the papers it was sent are in the ledger,
 * not on the row. So a send moves no row out of its page, and the heap stays
 * as many pages as the planned rows filled, at the table's fillfactor. These
 * fail when a settled row keeps its papers again, or a claim's version stops
 * fitting its page.
 */
it('keeps a sent row as small as a planned one, in the pages it was planned in', async () => {
  const n = 2000;
  const now = new Date('2025-12-09T12:00:00Z');
  await single.db.execute(sql`TRUNCATE subscribers CASCADE`);
  await single.db.insert(subscribers).values(Array.from({ length: n }, (_, i) => ({ email: `size${i}@example.org`, status: 'active' as const, sendHour: 7 })));
  expect(await planDeliveries(single.db, { now })).toHaveLength(n);
  const [{ pages: plannedPages }] = (await queryRows<{ pages: number }>(single.db, sql`SELECT (pg_relation_size('deliveries') / 8192)::int AS pages`)) as [{ pages: number }];
  // Batches of readers with different preferences, as in a real send: a batch's
  // rows are spread over the pages, every twentieth row of the table.
  const physical = (await queryRows<{ id: string }>(single.db, sql`SELECT id FROM deliveries ORDER BY ctid`)).map((r) => r.id);
  const batches = Array.from({ length: 20 }, (_, k) => physical.filter((_, i) => i % 20 === k));
  await single.db.execute(sql`SELECT pg_stat_force_next_flush()`);
  const before = await updateCounts();

  // Ten papers each (DIGEST_SIZE's default), claimed a batch at a time and settled twenty at a time, as sendBatch does.
  const papersOf = (id: string) => Array.from({ length: 10 }, (_, k) => `2512.${String(parseInt(id.slice(0, 4), 16) + k).padStart(5, '0')}`);
  for (const batch of batches) {
    expect(await claimDeliveries(single.db, batch.map((id) => ({ id, paperIds: papersOf(id) })), now, 60)).toHaveLength(batch.length);
    for (let s = 0; s < batch.length; s += 20) {
      await finishDeliveries(single.db, batch.slice(s, s + 20).map((id) => ({ id, outcome: { status: 'sent', paperIds: papersOf(id) } })), now);
    }
  }

  const [row] = await queryRows<{ sent: number; holding: number; widest: number; pages: number; ledger: number }>(
    single.db,
    sql`SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(chosen_papers)::int AS holding,
               max(pg_column_size(d.*))::int AS widest, (pg_relation_size('deliveries') / 8192)::int AS pages,
               (SELECT count(*)::int FROM sent_papers WHERE cardinality(paper_ids) = 10) AS ledger
        FROM deliveries d`,
  );
  // Every one sent, none holding its papers: the ledger has all ten of each.
  expect(row).toMatchObject({ sent: n, holding: 0, ledger: n });
  // The layout of a sent row: a 24-byte header and the null bitmap (MAXALIGNed
  // to 32), two uuids (32), period and status (16), scheduled_for (8),
  // attempts (4, padded to 8), created_at, updated_at, sent_at (24): 120.
  expect(row!.widest).toBeLessThanOrEqual(120);
  // No row left its page, and the planned rows filled the pages as the fillfactor allows.
  expect(row!.pages).toBe(plannedPages);
  const [{ fillfactor }] = (await queryRows<{ fillfactor: number }>(
    single.db,
    sql`SELECT coalesce((SELECT option_value::int FROM pg_options_to_table((SELECT reloptions FROM pg_class WHERE relname = 'deliveries')) WHERE option_name = 'fillfactor'), 100) AS fillfactor`,
  )) as [{ fillfactor: number }];
  // A planned row is 112 bytes (no updated_at, sent_at or papers yet) and a 4-byte line pointer.
  const perPage = Math.floor((8192 * fillfactor) / 100 / (112 + 4));
  expect(plannedPages).toBeLessThanOrEqual(Math.ceil(n / perPage));
  // Every claim and every outcome was a heap-only update.
  await single.db.execute(sql`SELECT pg_stat_force_next_flush()`);
  const after = await updateCounts();
  expect({ upd: after.upd - before.upd, hot: after.hot - before.hot }).toEqual({ upd: 2 * n, hot: 2 * n });
});

async function updateCounts(): Promise<{ upd: number; hot: number }> {
  const [stats] = await queryRows<{ upd: number; hot: number }>(
    single.db,
    sql`SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'deliveries'`,
  );
  return stats!;
}
