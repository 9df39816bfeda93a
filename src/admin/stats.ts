/**
 * What the operator wants to know at a glance, in a handful of queries over
 * indexed columns: subscribers by status, the last 14 days of outcomes, where
 * today's period stands, the latest failures, the last finished send run, and
 * bounces and complaints per day (from the audit trail every bounce source
 * writes through delivery/bounces.ts).
 * `paperboy stats`, GET /api/admin/stats and the /admin page all show this.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { deliveryStatuses, subscriberStatuses, type DeliveryStatus, type SubscriberStatus } from '../db/schema.ts';

export const CHART_DAYS = 14;

export interface DayOutcomes {
  day: string;
  sent: number;
  failed: number;
  skipped: number;
}

/** Bounce and complaint reports recorded per day (UTC), from every source (SMTP 5xx, DSNs, ARF, ESPs). */
export interface BounceDay {
  day: string;
  hard: number;
  soft: number;
  complaints: number;
}

export interface RecentFailure {
  deliveryId: string;
  email: string;
  period: string;
  reason: string | null;
  at: string;
}

export interface AdminStats {
  subscribers: Record<SubscriberStatus, number>;
  days: DayOutcomes[];
  bounceDays: BounceDay[];
  /** Today's (UTC) daily period: deliveries by status against active daily subscribers. */
  today: { period: string; deliveries: Record<DeliveryStatus, number>; activeDaily: number };
  recentFailures: RecentFailure[];
  lastSendRun: { startedAt: string; finishedAt: string; stats: Record<string, number | string> } | null;
}

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const iso = (v: Date | string) => new Date(v).toISOString();

export async function adminStats(db: Db, now: Date, failures = 20): Promise<AdminStats> {
  // No index covers status or updated_at (schema.ts: deliveries' updates stay
  // HOT): the chart and the failures list narrow by scheduled_for, reaching
  // back far enough for a week's retries and reruns.
  const lookBack = sql`interval '8 days'`;
  const today = isoDay(now.getTime());
  const first = isoDay(now.getTime() - (CHART_DAYS - 1) * DAY_MS);
  const [subs, days, period, active, recent, runs, bounces] = await Promise.all([
    queryRows<{ status: SubscriberStatus; n: number }>(db, sql`SELECT status, count(*)::int AS n FROM subscribers GROUP BY status`),
    queryRows<{ day: string; status: DeliveryStatus; n: number }>(
      db,
      sql`SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, status, count(*)::int AS n
          FROM deliveries
          WHERE scheduled_for >= ${first}::date::timestamp AT TIME ZONE 'UTC' - ${lookBack}
            AND updated_at >= ${first}::date::timestamp AT TIME ZONE 'UTC' AND status IN ('sent', 'failed', 'skipped')
          GROUP BY 1, 2`,
    ),
    queryRows<{ status: DeliveryStatus; n: number }>(db, sql`SELECT status, count(*)::int AS n FROM deliveries WHERE period = ${today} GROUP BY status`),
    queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM subscribers WHERE status = 'active' AND frequency = 'daily'`),
    queryRows<{ id: string; email: string; period: string; reason: string | null; updated_at: Date | string }>(
      db,
      sql`SELECT d.id, s.email, d.period, d.reason, d.updated_at FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE d.scheduled_for >= ${first}::date::timestamp AT TIME ZONE 'UTC' - ${lookBack} AND d.status = 'failed'
          ORDER BY d.updated_at DESC LIMIT ${failures}`,
    ),
    queryRows<{ started_at: Date | string; finished_at: Date | string; stats: Record<string, number | string> }>(
      db,
      sql`SELECT started_at, finished_at, stats FROM runs WHERE kind = 'send' ORDER BY finished_at DESC LIMIT 1`,
    ),
    queryRows<{ day: string; type: string; n: number }>(
      db,
      sql`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, detail->>'type' AS type, count(*)::int AS n
          FROM audit_events
          WHERE via = 'bounce' AND at >= ${first}::date::timestamp AT TIME ZONE 'UTC' AND detail->>'type' IN ('hard', 'soft', 'complaint')
          GROUP BY 1, 2`,
    ),
  ]);

  const subscribers = Object.fromEntries(subscriberStatuses.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
  for (const r of subs) subscribers[r.status] = Number(r.n);
  const byDay = new Map<string, DayOutcomes>();
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const day = isoDay(now.getTime() - i * DAY_MS);
    byDay.set(day, { day, sent: 0, failed: 0, skipped: 0 });
  }
  for (const r of days) {
    const d = byDay.get(r.day);
    if (d && (r.status === 'sent' || r.status === 'failed' || r.status === 'skipped')) d[r.status] = Number(r.n);
  }
  const bounceDays = new Map([...byDay.keys()].map((day) => [day, { day, hard: 0, soft: 0, complaints: 0 }]));
  for (const r of bounces) {
    const d = bounceDays.get(r.day);
    if (d) d[r.type === 'complaint' ? 'complaints' : (r.type as 'hard' | 'soft')] = Number(r.n);
  }
  const deliveries = Object.fromEntries(deliveryStatuses.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  for (const r of period) deliveries[r.status] = Number(r.n);
  const run = runs[0];
  return {
    subscribers,
    days: [...byDay.values()],
    bounceDays: [...bounceDays.values()],
    today: { period: today, deliveries, activeDaily: Number(active[0]?.n ?? 0) },
    recentFailures: recent.map((r) => ({ deliveryId: r.id, email: r.email, period: r.period, reason: r.reason, at: iso(r.updated_at) })),
    lastSendRun: run ? { startedAt: iso(run.started_at), finishedAt: iso(run.finished_at), stats: run.stats } : null,
  };
}
