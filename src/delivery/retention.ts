/**
 * Old deliveries pruned, so the log stays at DELIVERY_RETENTION_DAYS of sends
 * instead of growing forever. Finished deliveries (sent, skipped, failed)
 * scheduled before the cut-off are deleted in slices of
 * 10,000, each its own short transaction: no long lock, no giant WAL burst,
 * and autovacuum makes the space reusable by the next days' rows, so the
 * table's size levels off at the retention's worth. (Why slices and not
 * partitions: README, Retention.) Queued or sending rows are never touched:
 * one that old is a fault the operator should see.
 *
 * The no-repeat ledger has its own, shorter, horizon — each frequency's
 * candidate window — and is pruned here too.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { pruneSentLedger } from './sent-ledger.ts';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  now: Date;
  retentionDays: number;
  /** Days of sends the ledger must cover per frequency: its candidate window, plus a margin. */
  ledgerDays: { daily: number; weekly: number };
  slice?: number;
}

export interface RetentionCounts {
  deliveries: number;
  ledger: number;
}

/** The first moment whose deliveries are kept. */
export const retentionCutoff = (now: Date, retentionDays: number) => new Date(now.getTime() - retentionDays * DAY_MS);

export async function pruneDeliveries(db: Db, opts: RetentionOptions): Promise<RetentionCounts> {
  const slice = opts.slice ?? 10_000;
  const cut = retentionCutoff(opts.now, opts.retentionDays).toISOString();
  let deliveries = 0;
  for (;;) {
    const rows = await queryRows<{ n: number }>(db, sql`
      WITH gone AS (
        DELETE FROM deliveries WHERE id IN (
          SELECT id FROM deliveries
          WHERE scheduled_for < ${cut}::timestamptz AND status IN ('sent', 'skipped', 'failed')
          LIMIT ${slice})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`);
    const n = Number(rows[0]?.n ?? 0);
    deliveries += n;
    if (n < slice) break;
  }
  const ago = (days: number) => new Date(opts.now.getTime() - days * DAY_MS);
  const ledger = await pruneSentLedger(db, { daily: ago(opts.ledgerDays.daily), weekly: ago(opts.ledgerDays.weekly) }, slice);
  return { deliveries, ledger };
}
