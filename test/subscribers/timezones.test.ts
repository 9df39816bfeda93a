/** Time-zone names: current IANA names offered and stored, old ones accepted as aliases. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { canonicalTimeZone, timeZoneNames } from '../../src/subscribers/timezones.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const OLD_TO_CURRENT = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'US/Eastern': 'America/New_York',
  'Etc/UTC': 'UTC',
  utc: 'UTC',
};

describe('time zones', () => {
  it('offers the current names only, UTC first', () => {
    expect(timeZoneNames[0]).toBe('UTC');
    for (const [old, current] of Object.entries(OLD_TO_CURRENT)) {
      expect(timeZoneNames).not.toContain(old);
      expect(timeZoneNames).toContain(current);
    }
    expect(new Set(timeZoneNames).size).toBe(timeZoneNames.length);
  });

  it('maps every old name to the current one, and keeps current names as they are', () => {
    for (const [old, current] of Object.entries(OLD_TO_CURRENT)) expect(canonicalTimeZone(old), old).toBe(current);
    for (const z of timeZoneNames) expect(canonicalTimeZone(z)).toBe(z);
    for (const bad of ['+01:00', 'Mars/Base', 'Asia/Calcutta\u0000', '']) expect(canonicalTimeZone(bad)).toBeNull();
  });

  it('stores the current name whichever spelling arrives, through the API and the form', async () => {
    await t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'tz-old@example.org', timezone: 'Asia/Calcutta' } });
    await t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'tz-new@example.org', timezone: 'Asia/Kolkata' } });
    await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=tz-form%40example.org&timezone=Europe%2FKiev',
    });
    const rows = await queryRows<{ email: string; timezone: string }>(t.database.db, sql`SELECT email, timezone FROM subscribers WHERE email LIKE 'tz-%' ORDER BY email`);
    expect(rows).toEqual([
      { email: 'tz-form@example.org', timezone: 'Europe/Kyiv' },
      { email: 'tz-new@example.org', timezone: 'Asia/Kolkata' },
      { email: 'tz-old@example.org', timezone: 'Asia/Kolkata' },
    ]);
  });

  it('lists the current names in the form, and the script maps the browser’s old spelling', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/' })).body;
    expect(page).toContain('<option>Asia/Kolkata</option>');
    expect(page).toContain('<option>Europe/Kyiv</option>');
    expect(page).not.toContain('<option>Asia/Calcutta</option>');
    const script = (await t.app.inject({ method: 'GET', url: '/assets/timezone.js' })).body;
    expect(script).toContain('"Asia/Calcutta":"Asia/Kolkata"');
  });
});
