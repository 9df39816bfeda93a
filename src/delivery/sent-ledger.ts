/**
 * The no-repeat ledger: which papers each subscriber was already sent, so a
 * digest never shows a paper twice. One `sent_papers` row per subscriber and
 * sent period — the period's paper ids and its send time — written in the
 * same statement that marks the delivery sent, and kept only as long as its
 * frequency's candidate window (daily 3 days, weekly 10, and a day's margin). It is apart from `deliveries` so that pruning
 * deliveries (DELIVERY_RETENTION_DAYS) can never let a paper repeat, and so
 * that the ledger read touches a few small rows per subscriber.
 *
 * Why the window suffices: a sent paper had daily_at <= its delivery's
 * scheduled_for when it was chosen, and daily_at only moves earlier, so a
 * delivery scheduled before a candidate window cannot hold a candidate.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';

export interface LedgerQuestion {
  subscriberId: string;
  /** The period being chosen for: what was chosen for it already does not count. */
  period: string;
  /** Start of the candidate window: sends scheduled before it cannot matter. */
  since: Date;
}

/** More than a subscriber can have inside the longest window: one per period of 11 days, daily and weekly. */
const LEDGER_ROWS_PER_SUBSCRIBER = 32;

/**
 * Paper ids already sent to each subscriber in other periods inside the
 * window; one query for them all, filtered here (a few rows per subscriber).
 * Each subscriber is one probe of the primary key: the LATERAL subquery with
 * a LIMIT cannot be flattened into a join, which Postgres had made a hash
 * join over the whole ledger (7.5 ms a batch at 20,000 rows, growing with it).
 * The LIMIT also bounds the estimate: before the ledger is first analysed,
 * Postgres guessed a thousand rows per subscriber, passed the JIT threshold
 * and compiled the statement on every call (8 of its 10 ms at 100,000 rows).
 */
export async function papersAlreadySent(db: Db, questions: readonly LedgerQuestion[]): Promise<Map<string, Set<string>>> {
  const sent = new Map<string, Set<string>>();
  if (!questions.length) return sent;
  const asked = new Map<string, LedgerQuestion[]>();
  for (const q of questions) asked.set(q.subscriberId, [...(asked.get(q.subscriberId) ?? []), q]);
  const since = Math.min(...questions.map((q) => q.since.getTime()));
  const rows = await queryRows<{ subscriber_id: string; period: string; scheduled_for: Date | string; paper_ids: string[] }>(db, sql`
    SELECT l.* FROM unnest(${sql.param([...asked.keys()])}::uuid[]) AS q(id)
    CROSS JOIN LATERAL (SELECT subscriber_id, period, scheduled_for, paper_ids FROM sent_papers
                        WHERE subscriber_id = q.id AND scheduled_for > ${new Date(since).toISOString()}::timestamptz LIMIT ${sql.raw(String(LEDGER_ROWS_PER_SUBSCRIBER))}) l`,
    // The LIMIT is written out: as a parameter, a generic plan would not know it.
    'ledger_read',
  );
  for (const r of rows) {
    const at = new Date(r.scheduled_for).getTime();
    if (!asked.get(r.subscriber_id)!.some((q) => q.period !== r.period && at > q.since.getTime())) continue;
    let set = sent.get(r.subscriber_id);
    if (!set) sent.set(r.subscriber_id, (set = new Set()));
    for (const id of r.paper_ids) set.add(id);
  }
  return sent;
}

/** The same question as a condition on a paper id column, for a candidate query (one subscriber). */
export function notAlreadySent(paperId: SQL, q: LedgerQuestion): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM sent_papers l
    WHERE l.subscriber_id = ${q.subscriberId}::uuid AND l.period <> ${q.period}
      AND l.scheduled_for > ${q.since.toISOString()}::timestamptz AND ${paperId} = ANY(l.paper_ids))`;
}

/**
 * The write side, as a statement to put in a WITH beside the UPDATE that
 * marks deliveries sent: `rows` names that UPDATE's RETURNING (subscriber_id,
 * period, scheduled_for, paper_ids, status). One statement, so a delivery is
 * never sent without its ledger row.
 */
export function recordSentFrom(rows: SQL): SQL {
  return sql`INSERT INTO sent_papers (subscriber_id, period, scheduled_for, paper_ids)
    SELECT subscriber_id, period, scheduled_for, paper_ids FROM ${rows} WHERE status = 'sent'
    ON CONFLICT (subscriber_id, period) DO NOTHING`;
}

/**
 * Deletes ledger rows sent before their frequency's horizon (daily periods
 * are dates, weekly ones ISO weeks), in bounded slices; returns how many.
 */
export async function pruneSentLedger(db: Db, before: { daily: Date; weekly: Date }, slice = 10_000): Promise<number> {
  const daily = before.daily.toISOString();
  const weekly = before.weekly.toISOString();
  let total = 0;
  for (;;) {
    const rows = await queryRows<{ n: number }>(db, sql`
      WITH gone AS (
        DELETE FROM sent_papers WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM sent_papers
          WHERE scheduled_for < greatest(${daily}::timestamptz, ${weekly}::timestamptz)
            AND scheduled_for < CASE WHEN period LIKE '%W%' THEN ${weekly}::timestamptz ELSE ${daily}::timestamptz END
          LIMIT ${slice}))
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`);
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < slice) return total;
  }
}
