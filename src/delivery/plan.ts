/**
 * The planner: one `deliveries` row per active subscriber whose digest is due
 * and who has none for the current period yet.
 *
 * Each chunk of subscribers is one INSERT … SELECT … ON CONFLICT DO NOTHING:
 * the unique (subscriber_id, period) index makes running it twice, or on two
 * machines at once, create nothing twice, and Postgres' time zone database
 * does the local-time arithmetic (DST included) without shipping subscribers
 * to Node.
 *
 * Periods: daily → the subscriber's local date (YYYY-MM-DD); weekly → the ISO
 * week of their local date (YYYY-Www), due from Monday at their send hour.
 * `scheduled_for` is the moment the digest is chosen "as of".
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';

export interface PlanOptions {
  now: Date;
  /**
   * Plan for this local date (YYYY-MM-DD) as if it were that day at each
   * subscriber's send hour, whatever the clock says (`paperboy send --date`).
   */
  day?: string;
}

/**
 * The instant a wall-clock time happens in a zone. In the repeated hour when
 * clocks go back, Postgres picks the later instant; people expect the first
 * (and the digest module's zonedTime agrees), so step back by the shift when
 * the earlier instant shows the same wall clock. Shifts are 1 h, or 30 min on
 * Lord Howe Island.
 */
const firstInstant = (local: SQL, tz: SQL) => sql`(
  SELECT CASE
    WHEN ((x.at - interval '1 hour') AT TIME ZONE ${tz}) = ${local} THEN x.at - interval '1 hour'
    WHEN ((x.at - interval '30 minutes') AT TIME ZONE ${tz}) = ${local} THEN x.at - interval '30 minutes'
    ELSE x.at END
  FROM (SELECT (${local}) AT TIME ZONE ${tz} AS at) x)`;

export interface PlannedDelivery {
  id: string;
  subscriberId: string;
  period: string;
  /** Rows of one chunk with the same preferences and send time share this number (planDeliveryChunks). */
  mix?: number;
}

/**
 * A chunk's send batches, in the chunk's order (grouped by preference mix and
 * send time, so a batch's readers share candidate lists and compiled
 * digests), cut every `size` rows — except that a mix with at least two
 * batches' worth of readers is cut into full batches that each take every
 * n-th of its rows (the few left over go on with the rest). The
 * chunk's rows sit in the table in subscriber order; when many readers share
 * a mix, a batch of neighbours is two or three pages whose rows its claim
 * rewrites at once, more than the room those pages keep for it (fillfactor),
 * so the rows move and every index gets an entry (≈ 600 B a row after the
 * send instead of ≈ 280 B). Strided, a page holds a row or two of each batch.
 */
export function sendBatchesOf(planned: readonly PlannedDelivery[], size: number): string[][] {
  const out: string[][] = [];
  let rest: string[] = [];
  for (let start = 0; start < planned.length; ) {
    let end = start + 1;
    while (end < planned.length && planned[end]!.mix !== undefined && planned[end]!.mix === planned[start]!.mix) end++;
    // Full batches only: n of them over the first n · size rows; what is left joins the rest.
    const n = Math.floor((end - start) / size);
    let tail = start;
    if (n >= 2) {
      const batches: string[][] = Array.from({ length: n }, () => []);
      for (let j = 0; j < n * size; j++) batches[j % n]!.push(planned[start + j]!.id);
      out.push(...batches);
      tail = start + n * size;
    }
    for (let j = tail; j < end; j++) rest.push(planned[j]!.id);
    while (rest.length >= size) out.push(rest.splice(0, size));
    start = end;
  }
  if (rest.length) out.push(rest);
  return out;
}

/**
 * Subscribers looked at per statement. Each chunk is one INSERT of at most
 * this many rows and one result of that size in Node, so a million readers
 * cost two hundred short statements and never more memory than one chunk.
 */
export const PLAN_CHUNK = 5_000;

/**
 * Plans in chunks, keyset over the subscribers' primary key: each statement
 * takes the next PLAN_CHUNK subscriber ids after the last one seen, inserts
 * the due deliveries among them and returns those. Nothing is held between
 * chunks but the last id, so memory stays flat however many readers there
 * are, and each chunk commits on its own (a planner killed half-way leaves
 * the rest for the next tick). Within a chunk the rows come back grouped by
 * preference mix and send time, so the batches cut from a chunk share
 * candidate lists and compiled digests.
 */
/** The id that closes the chunk starting after `after`: its chunkSize-th subscriber, or none when fewer are left. */
async function chunkEnd(db: Db, after: string | null, chunkSize: number): Promise<string | null> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM subscribers WHERE ${after === null ? sql`TRUE` : sql`id > ${after}::uuid`} ORDER BY id OFFSET ${chunkSize - 1} LIMIT 1`,
  );
  return rows[0]?.id ?? null;
}

export async function* planDeliveryChunks(db: Db, opts: PlanOptions, chunkSize = PLAN_CHUNK): AsyncGenerator<PlannedDelivery[]> {
  const now = opts.now.toISOString();
  for (let after: string | null = null; ; ) {
    // Bounds first (an index-only read of the primary key), then the chunk
    // as a range scan between them: a join against a list of ids could make
    // Postgres scan every subscriber for every chunk.
    const end: string | null = await chunkEnd(db, after, chunkSize);
    const range = sql.join(
      [after === null ? sql`TRUE` : sql`s.id > ${after}::uuid`, end === null ? sql`TRUE` : sql`s.id <= ${end}::uuid`],
      sql` AND `,
    );
    // `local` is the subscriber's wall-clock time; `start` the local midnight
    // their period's send time counts from (today, or this week's Monday).
    const due = opts.day
      ? sql`
        SELECT s.id AS subscriber_id, s.frequency, s.topics, s.keywords, s.timezone, s.send_hour,
          CASE WHEN s.frequency = 'daily' THEN to_char(d.day, 'YYYY-MM-DD') ELSE to_char(d.day, 'IYYY-"W"IW') END AS period,
          ${firstInstant(sql`d.day + make_interval(hours => s.send_hour)`, sql`s.timezone`)} AS scheduled_for
        FROM subscribers s, (SELECT ${opts.day}::date::timestamp AS day) d
        WHERE s.status = 'active' AND ${range}`
      : sql`
        SELECT s.id AS subscriber_id, s.frequency, s.topics, s.keywords, s.timezone, s.send_hour,
          CASE WHEN s.frequency = 'daily' THEN to_char(l.local, 'YYYY-MM-DD') ELSE to_char(l.local, 'IYYY-"W"IW') END AS period,
          ${firstInstant(sql`l.start + make_interval(hours => s.send_hour)`, sql`s.timezone`)} AS scheduled_for
        FROM subscribers s,
          LATERAL (SELECT (${now}::timestamptz AT TIME ZONE s.timezone) AS local) t,
          LATERAL (SELECT t.local AS local,
                     CASE WHEN s.frequency = 'daily' THEN date_trunc('day', t.local) ELSE date_trunc('week', t.local) END AS start) l
        WHERE s.status = 'active' AND ${range}
          AND l.local >= l.start + make_interval(hours => s.send_hour)`;
    const statement = sql`
        WITH due AS MATERIALIZED (${due}),
        inserted AS (
          INSERT INTO deliveries (subscriber_id, period, scheduled_for, created_at)
          SELECT subscriber_id, period, scheduled_for, ${now}::timestamptz FROM due
          ORDER BY subscriber_id
          ON CONFLICT (subscriber_id, period) DO NOTHING
          RETURNING id, subscriber_id, period)
        -- Subscribers with the same preferences and send time side by side: the
        -- batches cut from this order share candidate lists and compiled digests.
        -- (Joined to the chunk's own rows: a join to subscribers would read them all.)
        -- Ordered by the mix's number, which follows the preferences' order: the
        -- same order as sorting by the preferences again, without comparing
        -- their arrays a second time (that sort was a fifth of a chunk's time).
        SELECT * FROM (
          SELECT i.*, dense_rank() OVER (ORDER BY d.frequency, d.topics, d.keywords, d.timezone, d.send_hour)::int AS mix
          FROM inserted i JOIN due d ON d.subscriber_id = i.subscriber_id) ranked
        ORDER BY mix, subscriber_id`;
    // Two planner settings, for this transaction only. Postgres would
    // JIT-compile every chunk's statement (its estimates pass the JIT
    // threshold from about a million subscribers up), which takes longer than
    // running it. And it guesses the key range holds a handful of rows, so it
    // joins `inserted` to `due` by a nested loop: 5,000 × 5,000 comparisons,
    // 2 s a chunk instead of 0.2 s (measured with 20,000 subscribers).
    const rows = await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL jit = off`);
      await tx.execute(sql`SET LOCAL enable_nestloop = off`);
      return queryRows<{ id: string; subscriber_id: string; period: string; mix: number }>(tx as unknown as Db, statement);
    });
    if (rows.length) yield rows.map((r) => ({ id: r.id, subscriberId: r.subscriber_id, period: r.period, mix: Number(r.mix) }));
    if (end === null) return;
    after = end;
  }
}

/** Every delivery one pass plans, in one array: for tests and small callers. */
export async function planDeliveries(db: Db, opts: PlanOptions): Promise<PlannedDelivery[]> {
  const all: PlannedDelivery[] = [];
  for await (const chunk of planDeliveryChunks(db, opts)) all.push(...chunk);
  return all;
}

/**
 * How far back the planner looks for stalled deliveries: a weekly digest's
 * period, and a day. One older than that is left as it is (queued, visible in
 * `paperboy stats` and on /admin) rather than sent days late; `paperboy
 * deliveries rerun` sends it if that is wanted.
 */
export const STALL_HORIZON_DAYS = 8;

/**
 * Deliveries that should be moving but have no live job: queued for longer
 * than `staleAfterMs` (their job was lost with Redis, or never enqueued because
 * the planner died between INSERT and enqueue), or stuck in `sending` past
 * their lease (the worker died mid-send). The planner enqueues them again.
 */
export async function findStalledDeliveries(db: Db, now: Date, staleAfterMs: number, limit = 10_000): Promise<string[]> {
  // No index covers status (schema.ts: updates stay HOT), so the scan is
  // narrowed to deliveries planned within STALL_HORIZON_DAYS: a million
  // readers make this a week of rows per tick, not the whole retention.
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
      SELECT id FROM deliveries
      WHERE created_at > ${new Date(now.getTime() - STALL_HORIZON_DAYS * 86_400_000).toISOString()}::timestamptz
        AND ((status = 'queued' AND coalesce(updated_at, created_at) < ${new Date(now.getTime() - staleAfterMs).toISOString()}::timestamptz)
          OR (status = 'sending' AND lease_until < ${now.toISOString()}::timestamptz))
      ORDER BY id
      LIMIT ${limit}`,
  );
  return rows.map((r) => r.id);
}
