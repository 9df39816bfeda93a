/** The subscriber routes of /api/admin with a Bearer token: find, suppress, reactivate, erase. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { activeSubscriber, auditOf, pendingSubscriber, statusOf } from '../helpers/subscribers.ts';

const TOKEN = 'a'.repeat(40);
const auth = { authorization: `Bearer ${TOKEN}` };
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
});
afterAll(() => t.close());

const post = (url: string) => t.app.inject({ method: 'POST', url, headers: auth });

describe('/api/admin/subscribers', () => {
  it('finds by address, case-insensitively, and 404s for strangers', async () => {
    const s = await activeSubscriber(t, { topics: ['llm'] });
    const found = await t.app.inject({ url: `/api/admin/subscribers?email=${encodeURIComponent(s.email.toUpperCase())}`, headers: auth });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ id: s.id, email: s.email, status: 'active', topics: ['llm'], lastDelivery: null });
    expect((await t.app.inject({ url: '/api/admin/subscribers?email=nobody@example.org', headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/admin/subscribers', headers: auth })).statusCode).toBe(400);
  });

  it('suppresses and reactivates with an audit trail, refusing what does not apply', async () => {
    const s = await activeSubscriber(t);
    expect((await post(`/api/admin/subscribers/${s.id}/suppress`)).json()).toMatchObject({ status: 'unsubscribed' });
    expect((await post(`/api/admin/subscribers/${s.id}/suppress`)).statusCode).toBe(200);
    expect((await post(`/api/admin/subscribers/${s.id}/reactivate`)).json()).toMatchObject({ status: 'active' });
    expect(await auditOf(t, s.id)).toEqual(expect.arrayContaining([{ action: 'suppressed', via: 'admin' }, { action: 'reactivated', via: 'admin' }]));

    // Reactivating someone who never confirmed would skip their consent.
    const p = await pendingSubscriber(t);
    const refused = await post(`/api/admin/subscribers/${p.id}/reactivate`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'conflict' });
    expect(await statusOf(t, p.id)).toBe('pending');
    expect((await post('/api/admin/subscribers/00000000-0000-4000-8000-000000000000/suppress')).statusCode).toBe(404);
    expect((await post('/api/admin/subscribers/not-a-uuid/suppress')).statusCode).toBe(400);
  });

  it('erases a subscriber with everything about them', async () => {
    const s = await activeSubscriber(t);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${s.id}`, headers: auth });
    expect(res.statusCode).toBe(204);
    expect(await statusOf(t, s.id)).toBeUndefined();
    expect(await auditOf(t, s.id)).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${s.id}`, headers: auth })).statusCode).toBe(404);
  });
});
