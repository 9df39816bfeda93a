/**
 * The planner: one `deliveries` row per active subscriber whose digest is due
 * and who has none for the current period yet.
 *
 * Everything happens in one INSERT … SELECT … ON CONFLICT DO NOTHING: the
 * unique (subscriber_id, period) index makes running it twice, or on two
 * machines at once, create nothing twice, and Postgres' time zone database
 * does the local-time arithmetic (DST included) for a million rows without
 * shipping them to Node.
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

export interface PlannedDelivery {
  id: string;
  subscriberId: string;
  period: string;
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

export async function planDeliveries(db: Db, opts: PlanOptions): Promise<PlannedDelivery[]> {
  const now = opts.now.toISOString();
  // `local` is the subscriber's wall-clock time; `start` the local midnight
  // their period's send time counts from (today, or this week's Monday).
  const due = opts.day
    ? sql`
      SELECT s.id AS subscriber_id,
        CASE WHEN s.frequency = 'daily' THEN to_char(d.day, 'YYYY-MM-DD') ELSE to_char(d.day, 'IYYY-"W"IW') END AS period,
        ${firstInstant(sql`d.day + make_interval(hours => s.send_hour)`, sql`s.timezone`)} AS scheduled_for
      FROM subscribers s, (SELECT ${opts.day}::date::timestamp AS day) d
      WHERE s.status = 'active'`
    : sql`
      SELECT s.id AS subscriber_id,
        CASE WHEN s.frequency = 'daily' THEN to_char(l.local, 'YYYY-MM-DD') ELSE to_char(l.local, 'IYYY-"W"IW') END AS period,
        ${firstInstant(sql`l.start + make_interval(hours => s.send_hour)`, sql`s.timezone`)} AS scheduled_for
      FROM subscribers s,
        LATERAL (SELECT (${now}::timestamptz AT TIME ZONE s.timezone) AS local) t,
        LATERAL (SELECT t.local AS local,
                   CASE WHEN s.frequency = 'daily' THEN date_trunc('day', t.local) ELSE date_trunc('week', t.local) END AS start) l
      WHERE s.status = 'active'
        AND l.local >= l.start + make_interval(hours => s.send_hour)`;
  const rows = await queryRows<{ id: string; subscriber_id: string; period: string }>(
    db,
    sql`
      WITH inserted AS (
        INSERT INTO deliveries (subscriber_id, period, scheduled_for)
        SELECT subscriber_id, period, scheduled_for FROM (${due}) due
        ORDER BY subscriber_id
        ON CONFLICT (subscriber_id, period) DO NOTHING
        RETURNING id, subscriber_id, period)
      -- Subscribers with the same preferences and send time side by side: the
      -- batches cut from this order share candidate lists and compiled digests.
      SELECT i.* FROM inserted i JOIN subscribers s ON s.id = i.subscriber_id
      ORDER BY s.frequency, s.topics, s.keywords, s.timezone, s.send_hour, s.id`,
  );
  return rows.map((r) => ({ id: r.id, subscriberId: r.subscriber_id, period: r.period }));
}

/**
 * Deliveries that should be moving but have no live job: queued for longer
 * than `staleAfterMs` (their job was lost with Redis, or never enqueued because
 * the planner died between INSERT and enqueue), or stuck in `sending` past
 * their lease (the worker died mid-send). The planner enqueues them again.
 */
export async function findStalledDeliveries(db: Db, now: Date, staleAfterMs: number, limit = 10_000): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
      SELECT id FROM deliveries
      WHERE (status = 'queued' AND updated_at < ${new Date(now.getTime() - staleAfterMs).toISOString()}::timestamptz)
         OR (status = 'sending' AND lease_until < ${now.toISOString()}::timestamptz)
      ORDER BY id
      LIMIT ${limit}`,
  );
  return rows.map((r) => r.id);
}
