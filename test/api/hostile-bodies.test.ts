/**
 * Bodies no client should send, each a 4xx naming the problem and nothing
 * stored: JSON nested thousands of levels deep (validation once overflowed
 * the stack on it: a 500), and bytes that are not UTF-8 (once stored as
 * U+FFFD), in JSON, forms and CSV imports.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 'h'.repeat(32);
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
});
afterAll(() => t.close());

const stored = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM subscribers`))[0]!.n;
const json = { 'content-type': 'application/json' };

describe('deeply nested JSON', () => {
  it('is a 400 naming the depth, in any field, not a stack overflow', async () => {
    for (const depth of [5_000, 20_000]) {
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      for (const payload of [`{"email":"x@example.org","topics":${deep}}`, `{"email":"x@example.org","keywords":${deep}}`, deep]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions', headers: json, payload });
        expect(res.statusCode, payload.slice(0, 40)).toBe(400);
        expect(res.json()).toMatchObject({ error: 'too_deep', message: expect.stringContaining('more than 32 levels') });
      }
    }
    expect(await stored()).toBe(0);
  });

  it('still takes ordinary bodies, brackets inside strings included', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions', headers: json, payload: JSON.stringify({ email: 'ok@example.org', keywords: ['a [b] {c}'], topics: [] }) });
    expect(res.statusCode).toBe(202);
  });
});

describe('invalid UTF-8', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

  it('is a 400 invalid_utf8 for JSON and forms, and nothing is stored', async () => {
    const before = await stored();
    const cases = [
      { headers: json, payload: bytes('{"email":"caf', [0xe9], '@example.org"}') }, // Latin-1 é
      { headers: json, payload: bytes('{"email":"a@example.org","keywords":["', [0xff, 0xfe], '"]}') },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: bytes('email=b', [0xc3, 0x28], '%40example.org') },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: bytes('email=c%40example.org&keywords=caf%E9') }, // %-escaped Latin-1
    ];
    for (const c of cases) {
      const url = c.headers === json ? '/api/subscriptions' : '/subscribe';
      const res = await t.app.inject({ method: 'POST', url, headers: c.headers, payload: c.payload });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('not valid UTF-8');
    }
    expect(await stored()).toBe(before);
    const rows = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM subscribers WHERE email LIKE ${'%\uFFFD%'} OR array_to_string(keywords, ',') LIKE ${'%\uFFFD%'}`);
    expect(rows[0]!.n).toBe(0);
  });

  it('still takes %-escaped UTF-8 and a literal %25 in a form', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=form-utf8%40example.org&keywords=caf%C3%A9%2C+100%25',
    });
    expect(res.statusCode).toBe(200);
    const [row] = await queryRows<{ keywords: string[] }>(t.database.db, sql`SELECT keywords FROM subscribers WHERE email = 'form-utf8@example.org'`);
    expect(row!.keywords).toEqual(['café', '100%']);
  });

  it('is a 400 for a CSV import too', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      payload: bytes('email\nz', [0xe9], '@example.org\n'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_utf8' });
  });
});
