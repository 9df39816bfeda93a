/**
 * The planner works out periods in SQL (Postgres' time zone database), the
 * digest in TypeScript (Intl). They must agree, or a subscriber could get a
 * digest chosen for a different day than the one planned.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers, type Frequency } from '../../src/db/schema.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { isDue, periodAt, periodOfDate } from '../../src/digest/period.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const zones = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Pacific/Auckland', 'Pacific/Kiritimati', 'America/St_Johns', 'Australia/Lord_Howe'];
// Ordinary days, DST changes in both hemispheres, and an ISO week-year boundary.
const instants = ['2025-12-08T12:30:00Z', '2025-03-09T10:30:00Z', '2025-11-02T06:30:00Z', '2025-04-06T01:00:00Z', '2026-12-31T23:30:00Z', '2027-01-03T20:00:00Z', '2024-02-29T05:00:00Z'];

describe('planner periods match the digest periods', () => {
  it('agrees on period and as-of moment for every zone, hour, frequency and instant', async () => {
    const subs: { email: string; timezone: string; sendHour: number; frequency: Frequency }[] = [];
    for (const timezone of zones)
      for (const sendHour of [0, 1, 2, 3, 7, 13, 23])
        for (const frequency of ['daily', 'weekly'] as const)
          subs.push({ email: `${timezone}-${sendHour}-${frequency}@example.org`.replace(/\//g, '_'), timezone, sendHour, frequency });
    await database.db.insert(subscribers).values(subs.map((s) => ({ ...s, status: 'active' as const })));
    const all = await database.db.select().from(subscribers);

    for (const instant of instants) {
      await database.db.execute(sql`TRUNCATE deliveries`);
      const now = new Date(instant);
      await planDeliveries(database.db, { now });
      const planned = new Map((await database.db.select().from(deliveries)).map((d) => [d.subscriberId, d]));
      for (const s of all) {
        const period = periodAt(s, now);
        const row = planned.get(s.id);
        const label = `${s.email} at ${instant}`;
        expect(Boolean(row), label).toBe(isDue(period, now));
        if (row) {
          expect(row.period, label).toBe(period.period);
          expect(row.scheduledFor.toISOString(), label).toBe(period.asOf.toISOString());
        }
      }
    }
  });

  it('agrees for `send --date D` as well', async () => {
    await database.db.execute(sql`TRUNCATE deliveries`);
    await planDeliveries(database.db, { now: new Date(), day: '2026-12-31' });
    const rows = await database.db.select().from(deliveries);
    const subs = new Map((await database.db.select().from(subscribers)).map((s) => [s.id, s]));
    for (const d of rows) {
      const s = subs.get(d.subscriberId)!;
      const expected = periodOfDate(s, '2026-12-31');
      expect(d.period, s.email).toBe(expected.period);
      if (s.frequency === 'daily') expect(d.scheduledFor.toISOString(), s.email).toBe(expected.asOf.toISOString());
    }
  });
});
