/**
 * When a subscriber's next digest will really be planned, so the pages can
 * say so: at the first planner tick (PLAN_CRON, in UTC like the schedulers
 * that run it) at or after the moment their period becomes due — their send
 * hour today, or this week's Monday for weekly — or the next tick from now
 * when that moment has passed. A period that already has its delivery moves
 * the answer to the next period's send time.
 */
import { CronExpressionParser } from 'cron-parser';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { deliveries } from '../db/schema.ts';
import { periodAt, periodOfDate, type DigestPeriod, type PeriodSubscriber } from '../digest/period.ts';

const DAY_MS = 86_400_000;

const firstTickFrom = (at: number, planCron: string) =>
  // next() is strictly after currentDate; a tick exactly at the moment counts.
  CronExpressionParser.parse(planCron, { tz: 'UTC', currentDate: new Date(at - 1) }).next().toDate();

/** The period after `p`: the next local day, or the next week's Monday. */
function periodAfter(sub: PeriodSubscriber, p: DigestPeriod): DigestPeriod {
  const next = new Date(Date.parse(`${p.localDate}T00:00:00Z`) + (p.frequency === 'weekly' ? 7 : 1) * DAY_MS);
  return periodOfDate(sub, next.toISOString().slice(0, 10));
}

export function nextPlannedAt(sub: PeriodSubscriber, now: Date, planCron: string, currentPeriodDone = false): Date {
  const current = periodAt(sub, now);
  const period = currentPeriodDone ? periodAfter(sub, current) : current;
  return firstTickFrom(Math.max(now.getTime(), period.asOf.getTime()), planCron);
}

/** nextPlannedAt, knowing from the deliveries table whether this period's digest is already planned. */
export async function nextEmailAt(db: Db, sub: PeriodSubscriber & { id: string }, now: Date, planCron: string): Promise<Date> {
  const { period } = periodAt(sub, now);
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.subscriberId, sub.id), eq(deliveries.period, period)))
    .limit(1);
  return nextPlannedAt(sub, now, planCron, rows.length > 0);
}
