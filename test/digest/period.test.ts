import { describe, expect, it } from 'vitest';
import { isDue, isoWeek, localDateAt, mondayOf, periodAt, periodOfDate, zonedTime } from '../../src/digest/period.ts';

const daily = (timezone: string, sendHour = 7) => ({ frequency: 'daily' as const, timezone, sendHour });
const weekly = (timezone: string, sendHour = 7) => ({ frequency: 'weekly' as const, timezone, sendHour });

describe('localDateAt', () => {
  it('gives the date on the wall clock east and west of UTC', () => {
    const at = new Date('2025-12-08T23:30:00Z');
    expect(localDateAt(at, 'UTC')).toBe('2025-12-08');
    expect(localDateAt(at, 'Asia/Tokyo')).toBe('2025-12-09');
    expect(localDateAt(at, 'America/Los_Angeles')).toBe('2025-12-08');
    expect(localDateAt(new Date('2025-12-09T05:00:00Z'), 'America/Los_Angeles')).toBe('2025-12-08');
    expect(localDateAt(new Date('2025-12-08T11:00:00Z'), 'Pacific/Kiritimati')).toBe('2025-12-09'); // UTC+14
  });
});

describe('zonedTime', () => {
  it('converts a local hour to the instant, east and west', () => {
    expect(zonedTime('2025-12-08', 7, 'Europe/Berlin').toISOString()).toBe('2025-12-08T06:00:00.000Z');
    expect(zonedTime('2025-07-08', 7, 'Europe/Berlin').toISOString()).toBe('2025-07-08T05:00:00.000Z');
    expect(zonedTime('2025-12-08', 7, 'America/New_York').toISOString()).toBe('2025-12-08T12:00:00.000Z');
    expect(zonedTime('2025-12-08', 7, 'Asia/Kolkata').toISOString()).toBe('2025-12-08T01:30:00.000Z');
    expect(zonedTime('2025-12-08', 0, 'Pacific/Auckland').toISOString()).toBe('2025-12-07T11:00:00.000Z');
  });

  it('moves an hour skipped by spring-forward to just after the gap', () => {
    // New York, 2025-03-09: 02:00 jumps to 03:00 EDT (07:00Z).
    expect(zonedTime('2025-03-09', 2, 'America/New_York').toISOString()).toBe('2025-03-09T07:00:00.000Z');
    expect(zonedTime('2025-03-09', 3, 'America/New_York').toISOString()).toBe('2025-03-09T07:00:00.000Z');
    expect(zonedTime('2025-03-09', 1, 'America/New_York').toISOString()).toBe('2025-03-09T06:00:00.000Z');
  });

  it('takes the first of an hour that happens twice at fall-back', () => {
    // New York, 2025-11-02: 01:00 EDT (05:00Z), then 01:00 EST (06:00Z).
    expect(zonedTime('2025-11-02', 1, 'America/New_York').toISOString()).toBe('2025-11-02T05:00:00.000Z');
    // Berlin, 2025-10-26: 02:00 CEST (00:00Z), then 02:00 CET (01:00Z).
    expect(zonedTime('2025-10-26', 2, 'Europe/Berlin').toISOString()).toBe('2025-10-26T00:00:00.000Z');
    expect(zonedTime('2025-10-26', 3, 'Europe/Berlin').toISOString()).toBe('2025-10-26T02:00:00.000Z');
  });
});

describe('isoWeek', () => {
  it('handles week-year boundaries', () => {
    expect(isoWeek('2025-12-08')).toBe('2025-W50');
    expect(isoWeek('2026-12-31')).toBe('2026-W53');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2027-01-03')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
  });

  it('finds the Monday of the week', () => {
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
    expect(mondayOf('2025-12-08')).toBe('2025-12-08');
    expect(mondayOf('2025-12-14')).toBe('2025-12-08');
  });
});

describe('periodAt', () => {
  it('daily: the local date, as of the send hour on it', () => {
    const p = periodAt(daily('Asia/Tokyo', 8), new Date('2025-12-08T20:00:00Z'));
    expect(p).toEqual({ frequency: 'daily', period: '2025-12-09', localDate: '2025-12-09', asOf: new Date('2025-12-08T23:00:00Z') });
    expect(isDue(p, new Date('2025-12-08T22:59:59Z'))).toBe(false);
    expect(isDue(p, new Date('2025-12-08T23:00:00Z'))).toBe(true);
  });

  it('daily west of UTC: still the previous date late in the UTC evening', () => {
    const p = periodAt(daily('America/Los_Angeles', 18), new Date('2025-12-09T03:00:00Z'));
    expect(p.period).toBe('2025-12-08');
    expect(p.asOf.toISOString()).toBe('2025-12-09T02:00:00.000Z');
  });

  it('weekly: the ISO week of the local date, due on its Monday', () => {
    const p = periodAt(weekly('Europe/Berlin'), new Date('2025-12-11T12:00:00Z'));
    expect(p).toEqual({ frequency: 'weekly', period: '2025-W50', localDate: '2025-12-08', asOf: new Date('2025-12-08T06:00:00Z') });
    // Sunday night in Berlin is already Monday in Tokyo: different weeks.
    const at = new Date('2025-12-14T16:00:00Z');
    expect(periodAt(weekly('Europe/Berlin'), at).period).toBe('2025-W50');
    expect(periodAt(weekly('Asia/Tokyo'), at).period).toBe('2025-W51');
    expect(periodOfDate(weekly('UTC'), '2027-01-01')).toMatchObject({ period: '2026-W53', localDate: '2026-12-28' });
  });
});
