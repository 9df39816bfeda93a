/** The home page, the form it posts, the shared layout and assets. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await upsertPapers(t.database.db, [
    makePaper({ id: '2512.00001', title: 'Older <b>paper</b> & friends', upvotes: 40, dailyAt: new Date('2025-12-15T00:00:00Z') }),
    makePaper({ id: '2512.00002', title: 'Another one', upvotes: 3, dailyAt: new Date('2025-12-14T00:00:00Z') }),
  ]);
});
afterAll(() => t.close());

const form = (body: string) =>
  t.app.inject({ method: 'POST', url: '/subscribe', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });

describe('home page', () => {
  it('has the form with labelled fields and today’s top papers, escaped', async () => {
    t.clock.now = new Date('2025-12-16T09:00:00Z');
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const b = res.body;
    expect(b).toContain('Get trending papers in your email inbox once a day!');
    for (const id of ['email', 'keywords', 'sendHour', 'timezone']) expect(b).toContain(`<label for="${id}"`);
    expect(b).toContain('<legend>Topics</legend>');
    expect(b).toContain('name="topics" value="llm"');
    expect(b).toContain('<option selected>UTC</option>');
    expect(b).toContain('data-browser-tz');
    expect(b).toContain('<script src="/assets/timezone.js" defer></script>');
    expect(b).toContain('Today’s top papers');
    expect(b).toContain('Older &lt;b&gt;paper&lt;/b&gt; &amp; friends');
    expect(b.indexOf('Older')).toBeLessThan(b.indexOf('Another one'));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
    // PUBLIC_URL is http here: asking browsers to upgrade form posts to https would break them.
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('falls back to the latest stored papers when the window is empty, and says so', async () => {
    t.clock.now = new Date('2026-03-01T09:00:00Z');
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.body).toContain('Latest papers (from Dec 15)');
    expect(res.body).toContain('Another one');
  });

  it('serves the shared stylesheet and script', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/assets/style.css' });
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain(':focus-visible');
    const js = await t.app.inject({ method: 'GET', url: '/assets/timezone.js' });
    expect(js.headers['content-type']).toContain('javascript');
  });
});

describe('subscribe form', () => {
  it('answers "Check your inbox to confirm" with the same page whatever the address', async () => {
    const first = await form('email=form-new%40example.org&topics=llm&topics=rl&keywords=moe%2C+rlhf&frequency=weekly&sendHour=6&timezone=Europe%2FBerlin');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Check your inbox to confirm');
    const [row] = await queryRows<Record<string, unknown>>(t.database.db, sql`SELECT * FROM subscribers WHERE email = 'form-new@example.org'`);
    expect(row).toMatchObject({ status: 'pending', topics: ['llm', 'rl'], keywords: ['moe', 'rlhf'], frequency: 'weekly', send_hour: 6, timezone: 'Europe/Berlin' });
    await t.database.db.execute(sql`UPDATE subscribers SET status = 'active' WHERE email = 'form-new@example.org'`);
    const again = await form('email=form-new%40example.org');
    const fresh = await form('email=someone-else%40example.org');
    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.body).toBe(fresh.body);
    expect(again.body).toBe(first.body);
    const audit = await queryRows<{ action: string; via: string }>(
      t.database.db,
      sql`SELECT action, via FROM audit_events a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.email = 'form-new@example.org' ORDER BY a.id`,
    );
    // The active address is left alone; the attempt is recorded (so every subscribe writes: same timing).
    expect(audit).toEqual([{ action: 'subscribed', via: 'page' }, { action: 'subscribe_ignored', via: 'page' }]);
  });

  it('shows the form again with the problems listed and what was typed, escaped; writes nothing', async () => {
    const res = await form('email=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&topics=astrology&sendHour=25&timezone=Mars%2FBase');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Please fix');
    expect(res.body).toContain('email: email is not an email address');
    expect(res.body).toContain('unknown topic');
    expect(res.body).toContain('unknown time zone');
    expect(res.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.body).not.toContain('<script>alert');
    const rows = await queryRows(t.database.db, sql`SELECT 1 FROM subscribers WHERE email LIKE '%script%'`);
    expect(rows).toHaveLength(0);
  });

  it('refuses unknown fields and odd Unicode in the form with a 400 page, never a 5xx', async () => {
    for (const body of ['email=a%40example.org&admin=1', 'email=a%00%40example.org', 'email=a%40example.org&keywords=x%E2%80%AEy', 'email=a%40example.org&frequency=hourly', `email=${'a'.repeat(3000)}`]) {
      const res = await form(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
    }
  });

  it('works with multipart bodies too', async () => {
    const boundary = 'xYzZY';
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `${part('email', 'multi@example.org')}${part('topics', 'audio')}--${boundary}--\r\n`,
    });
    expect(res.statusCode).toBe(200);
    const [row] = await queryRows<{ topics: string[] }>(t.database.db, sql`SELECT topics FROM subscribers WHERE email = 'multi@example.org'`);
    expect(row?.topics).toEqual(['audio']);
  });
});
