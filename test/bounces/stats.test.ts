/** Bounces and complaints per day in `paperboy stats`, GET /api/admin/stats and the /admin page. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminStats } from '../../src/admin/stats.ts';
import { subscribers } from '../../src/db/schema.ts';
import { recordBounce } from '../../src/delivery/bounces.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { runPaperboy } from '../helpers/cli.ts';

const TOKEN = 'admin-token-for-bounce-stats-0123';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
  const db = t.database.db;
  const subs = await db.insert(subscribers).values(['a', 'b', 'c', 'd', 'e'].map((n) => ({ email: `${n}@example.org`, status: 'active' as const }))).returning();
  const opts = { limit: 5, via: 'bounce' as const };
  await recordBounce(db, { subscriberId: subs[0]!.id }, 'hard', opts);
  await recordBounce(db, { subscriberId: subs[1]!.id }, 'hard', opts);
  await recordBounce(db, { subscriberId: subs[2]!.id }, 'soft', opts);
  await recordBounce(db, { subscriberId: subs[3]!.id }, 'complaint', opts);
  // Two days earlier: one hard bounce, one complaint.
  await recordBounce(db, { subscriberId: subs[4]!.id }, 'hard', opts);
  await recordBounce(db, { subscriberId: subs[4]!.id }, 'complaint', opts);
  await db.execute(sql`UPDATE audit_events SET at = '2025-12-14T10:00:00Z' WHERE subscriber_id = ${subs[4]!.id}`);
  await db.execute(sql`UPDATE audit_events SET at = '2025-12-16T08:00:00Z' WHERE subscriber_id <> ${subs[4]!.id}`);
});
afterAll(() => t.close());

describe('bounce and complaint figures', () => {
  it('counts per day from the audit trail', async () => {
    const s = await adminStats(t.database.db, new Date('2025-12-16T09:00:00Z'));
    expect(s.bounceDays).toHaveLength(14);
    expect(s.bounceDays.at(-1)).toEqual({ day: '2025-12-16', hard: 2, soft: 1, complaints: 1 });
    expect(s.bounceDays.at(-3)).toEqual({ day: '2025-12-14', hard: 1, soft: 0, complaints: 1 });
    expect(s.bounceDays.at(-2)).toEqual({ day: '2025-12-15', hard: 0, soft: 0, complaints: 0 });
  });

  it('shows them on /admin and in the JSON API', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const json = (await t.app.inject({ url: '/api/admin/stats', headers: auth })).json();
    expect(json.bounceDays.at(-1)).toEqual({ day: '2025-12-16', hard: 2, soft: 1, complaints: 1 });
    const page = (await t.app.inject({ url: '/admin', headers: auth })).body;
    expect(page).toContain('<tr data-day="2025-12-16"><td>2025-12-16</td><td data-kind="hard">2</td><td data-kind="soft">1</td><td data-kind="complaints">1</td></tr>');
    expect(page).toContain('<tr data-day="2025-12-14"><td>2025-12-14</td><td data-kind="hard">1</td><td data-kind="soft">0</td><td data-kind="complaints">1</td></tr>');
    expect(page).not.toContain('data-day="2025-12-15"><td>');
  });

  it('prints them in paperboy stats', async () => {
    // The command counts back from the real today: one complaint and one hard bounce now.
    const [x] = await t.database.db.insert(subscribers).values({ email: 'now@example.org', status: 'active' }).returning();
    await recordBounce(t.database.db, { subscriberId: x!.id }, 'hard', { limit: 5, via: 'bounce' });
    await recordBounce(t.database.db, { subscriberId: x!.id }, 'complaint', { limit: 5, via: 'bounce' });
    const r = await runPaperboy(['stats'], { DATABASE_URL: t.database.url });
    expect(r.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(r.stdout).toContain('day         bounced  soft  complaints');
    expect(r.stdout).toContain(`${today}        1     0           1`);
  });
});
