/**
 * Everything behind a signed link, through the JSON API and the pages:
 * confirm, preferences, pause, unsubscribe (RFC 8058 one-click included),
 * resubscribe, export and erase, and how bad tokens are answered.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { signToken, type TokenPurpose } from '../../src/subscribers/tokens.ts';
import { createTestApp, TEST_SECRET, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const secrets = { current: TEST_SECRET };
let n = 0;

/** A new pending subscriber; returns its id and a token maker. */
async function pending(prefs: Record<string, unknown> = {}) {
  const email = `links-${++n}@example.org`;
  await t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, ...prefs } });
  const [row] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM subscribers WHERE email = ${email}`);
  const id = row!.id;
  return { id, email, token: (purpose: TokenPurpose, at = t.clock.now) => signToken(secrets, purpose, id, at) };
}
async function active(prefs: Record<string, unknown> = {}) {
  const s = await pending(prefs);
  const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions/confirm', payload: { token: s.token('confirm') } });
  expect(res.json()).toEqual({ status: 'active' });
  return s;
}
const statusOf = async (id: string) =>
  (await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM subscribers WHERE id = ${id}`))[0]?.status;
const auditOf = async (id: string) =>
  queryRows<{ action: string; via: string }>(t.database.db, sql`SELECT action, via FROM audit_events WHERE subscriber_id = ${id} ORDER BY id`);

describe('confirm', () => {
  it('activates on POST only; the GET page shows a button; twice is harmless', async () => {
    const s = await pending();
    const page = await t.app.inject({ method: 'GET', url: `/confirm?token=${s.token('confirm')}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<form method="post" action="/confirm?token=${s.token('confirm')}"`);
    expect(page.body).toContain(s.email);
    expect(await statusOf(s.id)).toBe('pending');

    const first = await t.app.inject({ method: 'POST', url: `/confirm?token=${s.token('confirm')}` });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('You are subscribed');
    expect(first.body).toMatch(/href="http:\/\/paperboy\.test\/preferences\?token=[\w-]+\.[\w-]+"/);
    expect(await statusOf(s.id)).toBe('active');
    const again = await t.app.inject({ method: 'POST', url: `/confirm?token=${s.token('confirm')}` });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Already confirmed');
    const api = await t.app.inject({ method: 'POST', url: '/api/subscriptions/confirm', payload: { token: s.token('confirm') } });
    expect(api.json()).toEqual({ status: 'active' });
    expect(await auditOf(s.id)).toEqual([{ action: 'subscribed', via: 'api' }, { action: 'confirmed', via: 'page' }]);
  });

  it('activates the preferences chosen at subscribe time', async () => {
    const s = await active({ topics: ['rl'], frequency: 'weekly', sendHour: 21, timezone: 'Asia/Tokyo' });
    const res = await t.app.inject({ method: 'GET', url: '/api/preferences', headers: { authorization: `Bearer ${s.token('preferences')}` } });
    expect(res.json()).toEqual({ email: s.email, status: 'active', topics: ['rl'], keywords: [], frequency: 'weekly', timezone: 'Asia/Tokyo', sendHour: 21 });
  });

  it('refuses an expired confirm token (48 h) and one for an unsubscribed address', async () => {
    const s = await pending();
    const old = s.token('confirm', new Date(t.clock.now.getTime() - 49 * 3_600_000));
    const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions/confirm', payload: { token: old } });
    expect(res.statusCode).toBe(410);
    expect(res.json()).toMatchObject({ error: 'link_expired', message: expect.stringContaining('expired') });
    const page = await t.app.inject({ method: 'POST', url: `/confirm?token=${old}` });
    expect(page.statusCode).toBe(410);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('This link no longer works');
    expect(await statusOf(s.id)).toBe('pending');

    await t.app.inject({ method: 'POST', url: '/api/unsubscribe', payload: { token: s.token('unsubscribe') } });
    const late = await t.app.inject({ method: 'POST', url: '/api/subscriptions/confirm', payload: { token: s.token('confirm') } });
    expect(late.statusCode).toBe(410);
    expect(await statusOf(s.id)).toBe('unsubscribed');
  });
});

describe('tokens', () => {
  it('refuses forged, truncated, wrong-purpose and odd tokens with a 4xx, never a 5xx', async () => {
    const s = await active();
    const good = s.token('unsubscribe');
    const forged = signToken({ current: 'x'.repeat(40) }, 'unsubscribe', s.id);
    const odd = [forged, good.slice(0, -4), good.split('.')[0]!, s.token('confirm'), '', 'a.b', '%00', 'x'.repeat(5000), '🦄.🦄', `${good}\u0000`];
    for (const token of odd) {
      const q = encodeURIComponent(token);
      for (const req of [
        { method: 'POST' as const, url: '/api/unsubscribe', payload: { token } },
        { method: 'POST' as const, url: '/api/unsubscribe', headers: { authorization: `Bearer ${token}` } },
        { method: 'POST' as const, url: `/unsubscribe?token=${q}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' },
        { method: 'GET' as const, url: `/unsubscribe?token=${q}` },
        { method: 'GET' as const, url: `/preferences?token=${q}` },
        { method: 'GET' as const, url: `/api/preferences?token=${q}` },
      ]) {
        const res = await t.app.inject(req);
        expect(res.statusCode, `${req.method} ${req.url} ${token.slice(0, 20)}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }
    }
    const missing = await t.app.inject({ method: 'GET', url: '/api/preferences' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: 'invalid_link' });
    expect(await statusOf(s.id)).toBe('active');
  });

  it('keeps working across a key rotation with SECRET_PREVIOUS', async () => {
    const rotated = await createTestApp({ env: { SECRET: 'n'.repeat(40), SECRET_PREVIOUS: TEST_SECRET } });
    try {
      await rotated.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'rotate@example.org' } });
      const [row] = await queryRows<{ id: string }>(rotated.database.db, sql`SELECT id FROM subscribers`);
      const oldLink = signToken({ current: TEST_SECRET }, 'preferences', row!.id);
      const res = await rotated.app.inject({ method: 'GET', url: `/api/preferences?token=${oldLink}` });
      expect(res.statusCode).toBe(200);
    } finally {
      await rotated.close();
    }
  });
});

describe('preferences', () => {
  it('PUT changes only the fields given and records what changed; paused pauses and resumes', async () => {
    const s = await active({ topics: ['llm'], keywords: ['moe'] });
    const auth = { authorization: `Bearer ${s.token('preferences')}` };
    const res = await t.app.inject({ method: 'PUT', url: '/api/preferences', headers: auth, payload: { topics: ['vision', 'audio'], sendHour: 0 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ topics: ['vision', 'audio'], keywords: ['moe'], sendHour: 0, status: 'active' });
    const paused = await t.app.inject({ method: 'PUT', url: '/api/preferences', headers: auth, payload: { paused: true } });
    expect(paused.json()).toMatchObject({ status: 'paused' });
    const resumed = await t.app.inject({ method: 'PUT', url: `/api/preferences?token=${s.token('preferences')}`, payload: { paused: false } });
    expect(resumed.json()).toMatchObject({ status: 'active' });
    expect((await auditOf(s.id)).map((a) => a.action)).toEqual(['subscribed', 'confirmed', 'preferences_changed', 'paused', 'resumed']);
  });

  it('PUT refuses bad input with 400 and changes nothing', async () => {
    const s = await active({ topics: ['llm'] });
    const auth = { authorization: `Bearer ${s.token('preferences')}` };
    for (const payload of [{ topics: ['nope'] }, { email: 'x@example.org' }, { keywords: Array(11).fill('k') }, { timezone: 'Nowhere/City' }, { sendHour: -1 }, { paused: 'yes' }]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/preferences', headers: auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'validation_failed' });
    }
    const unknownQuery = await t.app.inject({ method: 'GET', url: `/api/preferences?token=${s.token('preferences')}&x=1` });
    expect(unknownQuery.statusCode).toBe(400);
    const got = await t.app.inject({ method: 'GET', url: '/api/preferences', headers: auth });
    expect(got.json()).toMatchObject({ topics: ['llm'], status: 'active' });
  });

  it('the page shows the settings in the form, saves a POST with a clear "Saved", and pauses with a button', async () => {
    const s = await active({ topics: ['llm'], keywords: ['moe'], timezone: 'Europe/Paris', sendHour: 9 });
    const q = `?token=${s.token('preferences')}`;
    const page = await t.app.inject({ method: 'GET', url: `/preferences${q}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="llm" checked');
    expect(page.body).toContain('value="moe"');
    expect(page.body).toContain('<option selected>Europe/Paris</option>');
    expect(page.body).toContain('<option value="9" selected>09:00</option>');
    expect(page.body).toContain(`action="/preferences/pause${q}"`);
    expect(page.body).toMatch(/href="http:\/\/paperboy\.test\/unsubscribe\?token=/);

    const saved = await t.app.inject({
      method: 'POST',
      url: `/preferences${q}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'topics=rl&topics=agents&keywords=tool+use%2C+planning&frequency=weekly&sendHour=18&timezone=America%2FNew_York',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Saved.');
    const api = await t.app.inject({ method: 'GET', url: `/api/preferences${q}` });
    expect(api.json()).toMatchObject({ topics: ['rl', 'agents'], keywords: ['tool use', 'planning'], frequency: 'weekly', sendHour: 18, timezone: 'America/New_York' });

    const bad = await t.app.inject({
      method: 'POST',
      url: `/preferences${q}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'topics=astrology&sendHour=99&timezone=Mars',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Not saved');
    expect(bad.body).toContain('unknown topic');
    expect((await t.app.inject({ method: 'GET', url: `/api/preferences${q}` })).json()).toMatchObject({ topics: ['rl', 'agents'] });

    const paused = await t.app.inject({ method: 'POST', url: `/preferences/pause${q}` });
    expect(paused.body).toContain('paused — no emails until you resume');
    expect(paused.body).toContain(`action="/preferences/resume${q}"`);
    expect(await statusOf(s.id)).toBe('paused');
  });
});

describe('unsubscribe', () => {
  it('the page has one button that POSTs; afterwards a resubscribe button works', async () => {
    const s = await active();
    const q = `?token=${s.token('unsubscribe')}`;
    const page = await t.app.inject({ method: 'GET', url: `/unsubscribe${q}` });
    expect(page.body).toContain(`<form method="post" action="/unsubscribe${q}"`);
    expect(await statusOf(s.id)).toBe('active');
    const done = await t.app.inject({ method: 'POST', url: `/unsubscribe${q}` });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    expect(done.body).toContain(`action="/resubscribe${q}"`);
    expect(await statusOf(s.id)).toBe('unsubscribed');
    const back = await t.app.inject({ method: 'POST', url: `/resubscribe${q}` });
    expect(back.body).toContain('Welcome back');
    expect(await statusOf(s.id)).toBe('active');
    expect((await auditOf(s.id)).slice(-2)).toEqual([{ action: 'unsubscribed', via: 'page' }, { action: 'resubscribed', via: 'page' }]);
  });

  it('RFC 8058 one-click, exactly as a mailbox provider sends it: urlencoded, no cookies → 200, no redirect', async () => {
    const s = await active();
    const res = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'GoogleOneClickUnsubscribe' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await statusOf(s.id)).toBe('unsubscribed');
    expect((await auditOf(s.id)).at(-1)).toEqual({ action: 'unsubscribed', via: 'one-click' });

    // Idempotent: again is 200 and changes nothing.
    const again = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(again.statusCode).toBe(200);
    expect((await auditOf(s.id)).filter((a) => a.action === 'unsubscribed')).toHaveLength(1);
  });

  it('RFC 8058 one-click as multipart/form-data', async () => {
    const s = await active();
    const boundary = '----paperboy7MA4YWxkTrZu0gW';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(await statusOf(s.id)).toBe('unsubscribed');
    expect((await auditOf(s.id)).at(-1)).toEqual({ action: 'unsubscribed', via: 'one-click' });
  });

  it('the JSON API unsubscribes idempotently', async () => {
    const s = await active();
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/unsubscribe', headers: { authorization: `Bearer ${s.token('unsubscribe')}` } });
      expect(res.json()).toEqual({ status: 'unsubscribed' });
    }
  });
});

describe('export and erase', () => {
  it('exports the row, deliveries and audit events; erasing deletes them all; later links answer "no longer valid"', async () => {
    const s = await active({ keywords: ['graphs'] });
    await t.database.db.execute(
      sql`INSERT INTO deliveries (subscriber_id, period, status, scheduled_for) VALUES (${s.id}, '2025-12-15', 'sent', '2025-12-15T07:00:00Z')`,
    );
    const auth = { authorization: `Bearer ${s.token('preferences')}` };
    const exp = await t.app.inject({ method: 'GET', url: '/api/preferences/export', headers: auth });
    expect(exp.statusCode).toBe(200);
    const data = exp.json();
    expect(data.subscriber).toMatchObject({ id: s.id, email: s.email, keywords: ['graphs'], status: 'active' });
    expect(data.deliveries).toEqual([expect.objectContaining({ period: '2025-12-15', status: 'sent' })]);
    expect(data.auditEvents.map((e: { action: string }) => e.action)).toEqual(['subscribed', 'confirmed']);

    const erased = await t.app.inject({ method: 'DELETE', url: '/api/subscriber', headers: auth });
    expect(erased.json()).toMatchObject({ status: 'erased' });
    for (const table of ['subscribers', 'deliveries', 'audit_events']) {
      const col = table === 'subscribers' ? sql`id` : sql`subscriber_id`;
      const rows = await queryRows(t.database.db, sql`SELECT 1 FROM ${sql.identifier(table)} WHERE ${col} = ${s.id}`);
      expect(rows, table).toHaveLength(0);
    }

    const api = await t.app.inject({ method: 'GET', url: '/api/preferences', headers: auth });
    expect(api.statusCode).toBe(410);
    expect(api.json()).toMatchObject({ error: 'link_no_longer_valid' });
    for (const url of [`/preferences?token=${s.token('preferences')}`, `/unsubscribe?token=${s.token('unsubscribe')}`]) {
      const page = await t.app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('no longer valid');
    }
    const oneClick = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(410);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/subscriber', headers: auth })).statusCode).toBe(410);
  });
});
