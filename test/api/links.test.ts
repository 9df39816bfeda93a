/**
 * Links through the JSON API and the pages: confirm, preferences and pause,
 * and how bad, expired, wrong-purpose and rotated tokens are answered.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { signToken } from '../../src/subscribers/tokens.ts';
import { createTestApp, TEST_SECRET, type TestApp } from '../helpers/app.ts';
import { activeSubscriber, auditOf as auditOfIn, pendingSubscriber, statusOf as statusOfIn } from '../helpers/subscribers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const pending = (prefs?: Record<string, unknown>) => pendingSubscriber(t, prefs);
const active = (prefs?: Record<string, unknown>) => activeSubscriber(t, prefs);
const statusOf = (id: string) => statusOfIn(t, id);
const auditOf = (id: string) => auditOfIn(t, id);

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
    expect(bad.body).toContain('&quot;astrology&quot; is not one of the topics; choose topics from the list');
    expect((await t.app.inject({ method: 'GET', url: `/api/preferences${q}` })).json()).toMatchObject({ topics: ['rl', 'agents'] });

    const paused = await t.app.inject({ method: 'POST', url: `/preferences/pause${q}` });
    expect(paused.body).toContain('paused — no emails until you resume');
    expect(paused.body).toContain(`action="/preferences/resume${q}"`);
    expect(await statusOf(s.id)).toBe('paused');
  });
});
