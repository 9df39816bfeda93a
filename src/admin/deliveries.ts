/**
 * Putting failed deliveries back in the queue. A failed row returns to
 * `queued` with its attempts reset, keeping its id (so its Message-ID) and
 * its chosen papers; whoever dispatches it next claims it the usual way, so a
 * resend racing the planner's stalled-finder still sends once. Only deliveries
 * of active subscribers go back: the send would skip anyone else.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { AdminError } from './errors.ts';
import { isoWeek } from '../digest/period.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function requeueFailedDelivery(db: Db, id: string, now: Date): Promise<void> {
  if (!UUID.test(id)) throw new AdminError(400, 'bad_request', 'a delivery id is a UUID');
  const rows = await queryRows<{ status: string; subscriber: string; requeued: boolean }>(
    db,
    sql`WITH up AS (
      UPDATE deliveries d SET status = 'queued', attempts = 0, reason = NULL, lease_until = NULL, updated_at = ${now.toISOString()}::timestamptz
      FROM subscribers s
      WHERE d.id = ${id} AND d.status = 'failed' AND s.id = d.subscriber_id AND s.status = 'active' RETURNING d.id)
    SELECT d.status, s.status AS subscriber, up.id IS NOT NULL AS requeued
    FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id LEFT JOIN up ON true WHERE d.id = ${id}`,
  );
  const row = rows[0];
  if (!row) throw new AdminError(404, 'not_found', 'no delivery with this id');
  if (row.requeued) return;
  if (row.status !== 'failed') throw new AdminError(409, 'conflict', `only failed deliveries can be resent; this one is ${row.status}`);
  // A hard bounce usually suppressed the address; sending again needs the operator's decision first.
  throw new AdminError(409, 'conflict', `the subscriber is ${row.subscriber}; reactivate them first`);
}

/** Failed deliveries of a period whose subscriber is still active, back to queued. */
export async function requeueFailedInPeriod(db: Db, period: string, now: Date): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE deliveries d SET status = 'queued', attempts = 0, reason = NULL, lease_until = NULL, updated_at = ${now.toISOString()}::timestamptz
        FROM subscribers s
        WHERE d.period = ${period} AND d.status = 'failed' AND s.id = d.subscriber_id AND s.status = 'active'
        RETURNING d.id`,
  );
  return rows.map((r) => r.id);
}

/**
 * The local date a period is planned from: a day is itself, an ISO week
 * (2025-W50) its Monday. Throws for anything else.
 */
export function periodStartDay(period: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  if (day) {
    const d = new Date(`${period}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === period) return period;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) {
    const [year, w] = [Number(week[1]), Number(week[2])];
    // ISO week 1 holds 4 January; its Monday starts the ISO year.
    const jan4 = Date.UTC(year, 0, 4);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000 + (w - 1) * 7 * 86_400_000;
    const iso = new Date(monday).toISOString().slice(0, 10);
    if (w >= 1 && w <= 53 && isoWeek(iso) === period) return iso;
  }
  throw new AdminError(400, 'bad_request', 'a period is a date (YYYY-MM-DD) or an ISO week (YYYY-Www)');
}
