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

  it('shows the form again with each problem in words next to its field, what was typed, escaped; writes nothing', async () => {
    const res = await form('email=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&topics=astrology&sendHour=25&timezone=Mars%2FBase&keywords=moe');
    expect(res.statusCode).toBe(400);
    const b = res.body;
    expect(b).toContain('Not subscribed yet.');
    expect(b).toContain('<p class="field-error" id="email-error"><span class="sr-only">Error: </span>This address is not an email address. Enter an email address like ada@example.org.</p>');
    expect(b).toMatch(/<input id="email" [^>]*aria-invalid="true" aria-describedby="email-error" autofocus>/);
    expect(b).toContain('id="topics-error"');
    expect(b).toContain('&quot;astrology&quot; is not one of the topics; choose topics from the list, or none for all topics.');
    expect(b).toContain('id="sendHour-error"');
    expect(b).toContain('Unknown time zone &quot;Mars/Base&quot;; choose one from the list.');
    expect(b).not.toMatch(/\b(email|timezone|sendHour): /); // no raw field keys
    expect(b.match(/ autofocus/g)).toHaveLength(1); // only the first wrong field
    expect(b).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(b).toContain('value="moe"');
    expect(b).not.toContain('<script>alert');
    const rows = await queryRows(t.database.db, sql`SELECT 1 FROM subscribers WHERE email LIKE '%script%'`);
    expect(rows).toHaveLength(0);
  });

  it('says which keyword is too long, and focuses the keywords when the address is fine', async () => {
    const long = 'a'.repeat(61);
    const res = await form(`email=kw%40example.org&keywords=moe%2C+${long}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`Keyword &quot;${'a'.repeat(30)}…&quot; is 61 characters long; each keyword must be 1–60 characters.`);
    expect(res.body).toMatch(/<input id="keywords" [^>]*aria-invalid="true" aria-describedby="keywords-error keywords-hint" autofocus/);
    expect(res.body).toContain('value="kw@example.org"');
    expect(res.body).not.toContain('id="email-error"');
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

describe('errors a browser reaches', () => {
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const get = (url: string, accept?: string) => t.app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });

  it('answers a browser with the site’s own error page, in its layout', async () => {
    for (const [url, status, words] of [
      ['/no-such-page', 404, 'There is no page at /no-such-page.'],
      ['/digests/2031-01-01', 404, 'No digest for 2031-01-01.'],
      ['/digests/2025-12-15?topics=nope', 400, 'Unknown topic &quot;nope&quot;'],
      ['/digests/yesterday', 400, 'The date in the address is not right: expected a date as YYYY-MM-DD.'],
    ] as const) {
      const res = await get(url, BROWSER);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('<header class="site">');
      expect(res.body, url).toContain('<link rel="stylesheet" href="/assets/style.css">');
      expect(res.body, url).toContain(words);
      expect(res.body, url).toContain('<a href="/">Go to the start page</a>');
    }
  });

  it('keeps JSON for API clients and for anything under /api/', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await get('/digests/2031-01-01', accept);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', message: 'no digest for 2031-01-01' });
    }
    const api = await get('/api/nothing-here', BROWSER);
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found' });
    const bad = await get('/digests/2025-12-15?topics=nope', 'application/json');
    expect(bad.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('unknown topic "nope"') });
  });

  it('has a favicon, linked from every page', async () => {
    const ico = await get('/favicon.ico', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8');
    expect(ico.statusCode).toBe(200);
    expect(ico.headers['content-type']).toBe('image/svg+xml');
    expect(ico.body).toMatch(/^<svg /);
    expect((await get('/')).body).toContain('<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">');
    expect((await get('/assets/favicon.svg')).body).toBe(ico.body);
  });
});
