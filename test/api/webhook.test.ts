import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, subscribers } from '../../src/db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let off: TestApp;
beforeAll(async () => {
  [t, off] = await Promise.all([createTestApp({ env: { WEBHOOK_TOKEN: 'hook-secret-123', BOUNCE_LIMIT: '2' } }), createTestApp()]);
});
afterAll(async () => {
  await Promise.all([t.close(), off.close()]);
});

const report = (app: TestApp, payload: unknown, token?: string) =>
  app.app.inject({
    method: 'POST',
    url: '/webhooks/bounce',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload: payload as Record<string, unknown>,
  });

describe('POST /webhooks/bounce', () => {
  it('is 404 when WEBHOOK_TOKEN is not configured', async () => {
    const r = await report(off, { email: 'a@example.org', type: 'hard' }, 'anything');
    expect(r.statusCode).toBe(404);
  });

  it('needs the right bearer token', async () => {
    expect((await report(t, { email: 'a@example.org', type: 'hard' })).statusCode).toBe(401);
    expect((await report(t, { email: 'a@example.org', type: 'hard' }, 'hook-secret-12')).statusCode).toBe(401);
  });

  it('rejects malformed reports with a 400 naming the problem', async () => {
    const r = await report(t, { email: 'a@example.org', type: 'bounced' }, 'hook-secret-123');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'validation_failed' });
    expect(r.json().message).toContain('type');
    expect((await report(t, { email: 'a@example.org', type: 'hard', extra: 1 }, 'hook-secret-123')).statusCode).toBe(400);
  });

  it('counts hard bounces up to BOUNCE_LIMIT, suppresses on a complaint, and answers the same for strangers', async () => {
    const [s, c] = await t.database.db
      .insert(subscribers)
      .values([
        { email: 'bounce@example.org', status: 'active' },
        { email: 'complain@example.org', status: 'active' },
      ])
      .returning();
    expect((await report(t, { email: 'BOUNCE@example.org', type: 'hard' }, 'hook-secret-123')).statusCode).toBe(202);
    expect((await t.database.db.select().from(subscribers).where(eq(subscribers.id, s!.id)))[0]).toMatchObject({ status: 'active', hardBounces: 1 });
    await report(t, { email: 'bounce@example.org', type: 'hard', reason: '5.1.1 user unknown' }, 'hook-secret-123');
    expect((await t.database.db.select().from(subscribers).where(eq(subscribers.id, s!.id)))[0]).toMatchObject({ status: 'bounced', hardBounces: 2 });

    await report(t, { email: 'complain@example.org', type: 'complaint' }, 'hook-secret-123');
    expect((await t.database.db.select().from(subscribers).where(eq(subscribers.id, c!.id)))[0]?.status).toBe('complained');
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subscriberId, c!.id));
    expect(audit.at(-1)).toMatchObject({ action: 'suppressed:complained', via: 'bounce' });

    const stranger = await report(t, { email: 'nobody@example.org', type: 'hard' }, 'hook-secret-123');
    expect(stranger.statusCode).toBe(202);
    expect(stranger.json()).toEqual({ status: 'accepted' });
  });
});
