/**
 * Subscribe with bad input: every rule answers 400 `{ error, message }`
 * naming the problem, never a 5xx, and writes nothing; odd but valid input
 * (aliases, emoji, other scripts) is accepted.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: payload as object });
const row = async (email: string) =>
  (await queryRows<Record<string, unknown>>(t.database.db, sql`SELECT * FROM subscribers WHERE lower(email) = lower(${email})`))[0];
const countRows = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM subscribers`))[0]!.n;

describe('subscribe: bad input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['missing email', {}, /email/],
    ['email not a string', { email: 42 }, /email/],
    ['invalid email', { email: 'not-an-address' }, /email is not an email address/],
    ['email with NUL', { email: 'ada\u0000@example.org' }, /email/],
    ['email with RTL mark', { email: 'ada\u200f@example.org' }, /email/],
    ['emoji email', { email: '🦄@example.org' }, /email/],
    ['email too long', { email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example` }, /longer than 254/],
    ['huge string', { email: 'a'.repeat(50_000) }, /email/],
    ['unknown field', { email: 'x@example.org', admin: true }, /Unrecognized key/],
    ['unknown topic', { email: 'x@example.org', topics: ['llm', 'astrology'] }, /unknown topic "astrology"/],
    ['topics not an array', { email: 'x@example.org', topics: 'llm' }, /topics/],
    ['too many keywords', { email: 'x@example.org', keywords: Array.from({ length: 11 }, (_, i) => `k${i}`) }, /at most 10 keywords/],
    ['keyword too long', { email: 'x@example.org', keywords: ['k'.repeat(61)] }, /1–60 characters/],
    ['empty keyword', { email: 'x@example.org', keywords: ['   '] }, /1–60 characters/],
    ['keyword with NUL', { email: 'x@example.org', keywords: ['a\u0000b'] }, /control or direction/],
    ['keyword with RTL override', { email: 'x@example.org', keywords: ['abc\u202edef'] }, /control or direction/],
    ['keyword lone surrogate', { email: 'x@example.org', keywords: ['\ud800x'] }, /control or direction/],
    ['invalid time zone', { email: 'x@example.org', timezone: 'Mars/Olympus_Mons' }, /unknown time zone/],
    ['offset time zone', { email: 'x@example.org', timezone: '+01:00' }, /unknown time zone/],
    ['time zone with NUL', { email: 'x@example.org', timezone: 'UTC\u0000' }, /unknown time zone/],
    ['send hour 24', { email: 'x@example.org', sendHour: 24 }, /sendHour/],
    ['send hour fraction', { email: 'x@example.org', sendHour: 7.5 }, /sendHour/],
    ['send hour string', { email: 'x@example.org', sendHour: '7' }, /sendHour/],
    ['frequency', { email: 'x@example.org', frequency: 'hourly' }, /frequency/],
    ['array body', [{ email: 'x@example.org' }], /./],
    ['null body', null, /./],
  ];
  it.each(cases)('%s → 400 naming the problem, nothing written', async (_name, payload, message) => {
    const before = await countRows();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toEqual(expect.any(String));
    expect(body.message).toMatch(message);
    expect(await countRows()).toBe(before);
  });

  it('malformed JSON, a wrong content type and an oversized body are 4xx with { error, message }', async () => {
    const bad = [
      { headers: { 'content-type': 'application/json' }, payload: '{"email": "x@example.org",' },
      { headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}, "email": "x@example.org"}' },
      { headers: { 'content-type': 'text/plain' }, payload: 'email=x@example.org' },
      { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'x@example.org', keywords: ['k'.repeat(70_000)] }) },
      { headers: { 'content-type': 'application/json' }, payload: '' },
    ];
    for (const b of bad) {
      const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions', ...b });
      expect(res.statusCode, b.payload.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(Object.keys(res.json()).sort()).toEqual(expect.arrayContaining(['error', 'message']));
    }
  });

  it('accepts time-zone aliases and stores the canonical spelling', async () => {
    await post({ email: 'tz@example.org', timezone: 'utc' });
    expect(await row('tz@example.org')).toMatchObject({ timezone: 'UTC' });
  });

  it('accepts emoji and other scripts in keywords', async () => {
    const res = await post({ email: 'unicode@example.org', keywords: ['🤖 robots', 'تعلم الآلة', '扩散模型'] });
    expect(res.statusCode).toBe(202);
    expect(await row('unicode@example.org')).toMatchObject({ keywords: ['🤖 robots', 'تعلم الآلة', '扩散模型'] });
  });
});
