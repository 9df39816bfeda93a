import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, subscribers } from '../../src/db/schema.ts';
import { recordBounce } from '../../src/delivery/bounces.ts';
import { classifySendError } from '../../src/mail/smtp-errors.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const add = async (email: string) =>
  (await database.db.insert(subscribers).values({ email, status: 'active' }).returning())[0]!;
const statusOf = async (id: string) =>
  (await database.db.select().from(subscribers).where(eq(subscribers.id, id)))[0]!;

describe('recordBounce', () => {
  it('suppresses after BOUNCE_LIMIT hard bounces, matching the address case-insensitively', async () => {
    const s = await add('Bouncy@Example.org');
    const first = await recordBounce(database.db, { email: 'bouncy@example.ORG' }, 'hard', { limit: 2, via: 'bounce' });
    expect(first).toMatchObject({ subscriberId: s.id, status: 'active', suppressed: false });
    const second = await recordBounce(database.db, { subscriberId: s.id }, 'hard', { limit: 2, via: 'bounce' });
    expect(second).toMatchObject({ status: 'bounced', suppressed: true });
    expect(await statusOf(s.id)).toMatchObject({ status: 'bounced', hardBounces: 2 });
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.subscriberId, s.id));
    expect(audit.map((a) => a.action)).toEqual(['bounce:hard', 'suppressed:bounced']);
  });

  it('suppresses at once on a complaint, and only records a soft bounce', async () => {
    const s = await add('complainer@example.org');
    expect(await recordBounce(database.db, { subscriberId: s.id }, 'soft', { limit: 1, via: 'bounce' })).toMatchObject({ status: 'active' });
    expect(await recordBounce(database.db, { subscriberId: s.id }, 'complaint', { limit: 1, via: 'bounce' })).toMatchObject({ status: 'complained', suppressed: true });
    // An unsubscribed address stays unsubscribed.
    const u = await add('gone@example.org');
    await database.db.update(subscribers).set({ status: 'unsubscribed' }).where(eq(subscribers.id, u.id));
    expect(await recordBounce(database.db, { subscriberId: u.id }, 'hard', { limit: 1, via: 'bounce' })).toMatchObject({ status: 'unsubscribed', suppressed: false });
  });

  it('answers null for an unknown address and writes nothing', async () => {
    const [before] = await database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
    expect(await recordBounce(database.db, { email: 'nobody@example.org' }, 'hard', { limit: 1, via: 'bounce' })).toBeNull();
    const [after] = await database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
    expect(after?.n).toBe(before?.n);
  });
});

describe('classifySendError', () => {
  it('treats 5xx as permanent and 4xx or no reply as transient', () => {
    expect(classifySendError({ responseCode: 550, response: '550 5.1.1 no such user' })).toEqual({ kind: 'permanent', code: 550, reason: '550 5.1.1 no such user' });
    expect(classifySendError({ responseCode: 421, response: '421 try later' })).toEqual({ kind: 'transient', relayDown: false, reason: '421 try later' });
    expect(classifySendError({ responseCode: 451, response: '451 local error' }).kind).toBe('transient');
    expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' }))).toEqual({
      kind: 'transient',
      relayDown: true,
      reason: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:2525',
    });
  });
});
