/**
 * A subscriber's digest period for a moment, and the moment that digest is
 * "as of". Pure functions over the IANA time-zone data Node ships (Intl), so
 * the delivery planner and the digest agree on every edge:
 *
 *   daily  → period = their local date (2025-12-08), as of that date at their send hour
 *   weekly → period = ISO week of their local date (2025-W50), as of that week's
 *            Monday at their send hour (weekly digests go out on Mondays)
 *
 * A send hour that does not exist on a spring-forward day (02:00 in New York)
 * moves forward by the gap (03:00); one that happens twice on a fall-back day
 * takes the first occurrence, so nobody gets two digests or none.
 */
import type { Frequency } from '../db/schema.ts';

export interface PeriodSubscriber {
  frequency: Frequency;
  /** IANA zone, e.g. Europe/Berlin. */
  timezone: string;
  /** 0–23, local time. */
  sendHour: number;
}

export interface DigestPeriod {
  frequency: Frequency;
  /** The deliveries.period key: 2025-12-08 or 2025-W50. */
  period: string;
  /** The local date the digest is for: the day itself, or the week's Monday. */
  localDate: string;
  /** The send moment: papers are chosen and ranked as of this instant. */
  asOf: Date;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

// Building an Intl.DateTimeFormat costs far more than using one; a planner
// walking a million subscribers sees a few hundred distinct zones.
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at `at` in `timeZone`, as milliseconds of a UTC clock showing it. */
function wallClockMs(at: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The local date (YYYY-MM-DD) at `at` in `timeZone`. */
export function localDateAt(at: Date, timeZone: string): string {
  return new Date(wallClockMs(at, timeZone)).toISOString().slice(0, 10);
}

/** The instant the wall clock in `timeZone` shows `hour`:00 on `localDate`. */
export function zonedTime(localDate: string, hour: number, timeZone: string): Date {
  const wall = Date.parse(`${localDate}T00:00:00Z`) + hour * 3_600_000;
  // The offset a day either side brackets any transition on this date.
  const before = wall - (wallClockMs(new Date(wall - DAY_MS), timeZone) - (wall - DAY_MS));
  const after = wall - (wallClockMs(new Date(wall + DAY_MS), timeZone) - (wall + DAY_MS));
  const exists = (t: number) => wallClockMs(new Date(t), timeZone) === wall;
  const candidates = [before, after].filter(exists);
  // Both exist: an hour that happens twice, take the first. Neither: a skipped
  // hour; `before` applies the old offset, which lands after the gap.
  return new Date(candidates.length ? Math.min(...candidates) : before);
}

/** The ISO 8601 week of a date: 2026-12-31 → 2026-W53, 2027-01-04 → 2027-W01. */
export function isoWeek(localDate: string): string {
  const d = new Date(`${localDate}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The week belongs to the year of its Thursday.
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday of the ISO week holding `localDate`. */
export function mondayOf(localDate: string): string {
  const d = new Date(`${localDate}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - weekday * DAY_MS).toISOString().slice(0, 10);
}

/** The period whose digest is for the subscriber's local date `localDate`. */
export function periodOfDate(sub: PeriodSubscriber, localDate: string): DigestPeriod {
  if (sub.frequency === 'weekly') {
    const monday = mondayOf(localDate);
    return { frequency: 'weekly', period: isoWeek(localDate), localDate: monday, asOf: zonedTime(monday, sub.sendHour, sub.timezone) };
  }
  return { frequency: 'daily', period: localDate, localDate, asOf: zonedTime(localDate, sub.sendHour, sub.timezone) };
}

/**
 * The subscriber's period at the moment `at`. It is due once `at >= asOf`;
 * before their hour the period already exists but is not due yet.
 */
export function periodAt(sub: PeriodSubscriber, at: Date): DigestPeriod {
  return periodOfDate(sub, localDateAt(at, sub.timezone));
}

export const isDue = (period: DigestPeriod, at: Date): boolean => at.getTime() >= period.asOf.getTime();
