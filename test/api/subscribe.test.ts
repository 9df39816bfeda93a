/**
 * POST /api/subscriptions: the lifecycle of an address, the confirmation
 * throttle, no enumeration, the audit trail (bad input: subscribe-validation).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
beforeEach(async () => {
  t.clock.now = new Date('2025-12-16T09:00:00Z');
  await t.drain();
  t.mailer.sent.length = 0;
});

const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: payload as object });
const row = async (email: string) =>
  (await queryRows<Record<string, unknown>>(t.database.db, sql`SELECT * FROM subscribers WHERE lower(email) = lower(${email})`))[0];
const setStatus = (email: string, status: string) =>
  t.database.db.execute(sql`UPDATE subscribers SET status = ${status} WHERE lower(email) = lower(${email})`);
const sentTo = async (email: string) => {
  await t.drain();
  return t.mailer.sent.filter((m) => m.to === email).length;
};
const minutes = (n: number) => new Date(t.clock.now.getTime() + n * 60_000);

describe('subscribe', () => {
  it('stores a new address as pending with its preferences and sends one confirmation', async () => {
    const res = await post({ email: ' Grace@Example.ORG ', topics: ['llm', 'vision', 'llm'], keywords: [' speculative decoding ', 'MoE', 'moe'], frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 6 });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'check_your_inbox', message: expect.stringContaining('Check your inbox') });
    expect(await row('grace@example.org')).toMatchObject({
      email: 'Grace@example.org', status: 'pending', topics: ['llm', 'vision'], keywords: ['speculative decoding', 'moe'],
      frequency: 'weekly', timezone: 'Europe/Berlin', send_hour: 6, confirm_count: 1,
    });
    expect(await sentTo('Grace@example.org')).toBe(1);
    const mail = t.mailer.sent[0]!;
    expect(mail.subject).toBe('Confirm your paperboy subscription');
    expect(mail.html).toMatch(/href="http:\/\/paperboy\.test\/confirm\?token=[\w-]+\.[\w-]+"/);
    expect(mail.text).toMatch(/http:\/\/paperboy\.test\/confirm\?token=[\w-]+\.[\w-]+/);
  });

  it('fills in defaults: all topics, no keywords, daily, UTC, 7:00', async () => {
    await post({ email: 'defaults@example.org' });
    expect(await row('defaults@example.org')).toMatchObject({ topics: [], keywords: [], frequency: 'daily', timezone: 'UTC', send_hour: 7 });
  });

  it('keeps one subscriber per address, whatever the case', async () => {
    await post({ email: 'Case@Example.org' });
    await post({ email: 'case@EXAMPLE.ORG' });
    await post({ email: 'CASE@example.org' });
    const rows = await queryRows(t.database.db, sql`SELECT id FROM subscribers WHERE lower(email) = 'case@example.org'`);
    expect(rows).toHaveLength(1);
  });

  it('nothing a stranger typed reaches the confirmation email', async () => {
    const marker = 'Buy cheap pills at evil.example';
    await post({ email: 'victim@example.org', keywords: [marker, '<script>x</script>'] });
    await t.drain();
    const mail = t.mailer.sent.find((m) => m.to === 'victim@example.org')!;
    for (const part of [mail.subject, mail.html, mail.text]) {
      expect(part).not.toContain('cheap pills');
      expect(part).not.toContain('script>x');
    }
  });

  it('a pending address gets its preferences replaced and another confirmation, throttled', async () => {
    await post({ email: 'pending@example.org', topics: ['llm'] });
    await post({ email: 'pending@example.org', topics: ['rl'] });
    expect(await row('pending@example.org')).toMatchObject({ status: 'pending', topics: ['rl'], confirm_count: 1 });
    expect(await sentTo('pending@example.org')).toBe(1); // the second came within 10 minutes

    t.clock.now = minutes(10);
    await post({ email: 'pending@example.org' });
    expect(await sentTo('pending@example.org')).toBe(2);
  });

  it('sends at most one confirmation per 10 minutes and five per UTC day', async () => {
    const email = 'bomb@example.org';
    t.clock.now = new Date('2025-12-16T00:00:00Z');
    for (let i = 0; i < 12; i++) {
      await post({ email });
      t.clock.now = minutes(11);
    }
    expect(await sentTo(email)).toBe(5);
    expect(await row(email)).toMatchObject({ confirm_count: 5, confirm_day: '2025-12-16' });
    for (let i = 0; i < 6; i++) await post({ email }); // same instant: nothing more
    expect(await sentTo(email)).toBe(5);

    t.clock.now = new Date('2025-12-17T00:00:30Z'); // a new UTC day
    await post({ email });
    await post({ email });
    expect(await sentTo(email)).toBe(6);
    expect(await row(email)).toMatchObject({ confirm_count: 1, confirm_day: '2025-12-17' });
  });

  it('concurrent requests for one address send one confirmation', async () => {
    const email = 'race@example.org';
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ email })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(202));
    expect(await sentTo(email)).toBe(1);
  });

  it('an active or paused subscription is neither changed nor mailed by a stranger', async () => {
    for (const status of ['active', 'paused']) {
      const email = `${status}@example.org`;
      await post({ email, topics: ['llm'] });
      await setStatus(email, status);
      t.clock.now = minutes(60);
      await post({ email, topics: ['rl'], frequency: 'weekly' });
      expect(await row(email)).toMatchObject({ status, topics: ['llm'], frequency: 'daily' });
      expect(await sentTo(email)).toBe(1);
    }
  });

  it('an unsubscribed address starts a new confirmation with the new preferences', async () => {
    const email = 'comeback@example.org';
    await post({ email });
    await setStatus(email, 'unsubscribed');
    t.clock.now = minutes(30);
    await post({ email, topics: ['audio'] });
    expect(await row(email)).toMatchObject({ status: 'pending', topics: ['audio'] });
    expect(await sentTo(email)).toBe(2);
    const audit = await queryRows<{ action: string; via: string }>(
      t.database.db,
      sql`SELECT action, via FROM audit_events a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.email = ${email} ORDER BY a.id`,
    );
    expect(audit).toEqual([{ action: 'subscribed', via: 'api' }, { action: 'resubscribed', via: 'api' }]);
  });

  it('bounced and complained addresses are suppressed: nothing changes, nothing is sent', async () => {
    for (const status of ['bounced', 'complained']) {
      const email = `${status}@example.org`;
      await post({ email });
      await setStatus(email, status);
      t.clock.now = minutes(60);
      const res = await post({ email, topics: ['rl'] });
      expect(res.statusCode).toBe(202);
      expect(await row(email)).toMatchObject({ status, topics: [] });
      expect(await sentTo(email)).toBe(1);
    }
  });

  it('answers identically whatever the address is: no enumeration', async () => {
    const states = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'];
    for (const s of states) {
      await post({ email: `known-${s}@example.org` });
      if (s !== 'pending') await setStatus(`known-${s}@example.org`, s);
    }
    const answers = await Promise.all(
      ['fresh-new@example.org', ...states.map((s) => `known-${s}@example.org`)].map((email) => post({ email, topics: ['llm'] })),
    );
    const strip = (a: (typeof answers)[number]) => {
      const { date, 'x-request-id': _id, ...headers } = a.headers;
      return { status: a.statusCode, body: a.body, headers };
    };
    const first = strip(answers[0]!);
    for (const a of answers) expect(strip(a)).toEqual(first);
  });

  it('does the same work for every state: each request writes and commits (timing: npm run bench -- subscribe-timing)', async () => {
    // A read-only request skips the WAL flush at commit and so answered ≈ 2 ms sooner,
    // telling active, paused and suppressed addresses apart from the others.
    const states = ['active', 'paused', 'bounced', 'complained'];
    for (const s of states) {
      await post({ email: `work-${s}@example.org` });
      await setStatus(`work-${s}@example.org`, s);
    }
    for (const s of states) {
      const before = await row(`work-${s}@example.org`);
      await post({ email: `work-${s}@example.org`, topics: ['rl'] });
      expect(await row(`work-${s}@example.org`)).toEqual(before);
      const events = await queryRows<{ action: string; detail: Record<string, unknown> }>(
        t.database.db,
        sql`SELECT action, detail FROM audit_events WHERE subscriber_id = ${before!.id as string} ORDER BY id`,
      );
      expect(events.at(-1), s).toEqual({ action: 'subscribe_ignored', detail: { status: s } });
    }
  });

  it('carries the same security headers as every other route', async () => {
    const helmetHeaders = (h: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => /^(content-security-policy|strict-transport|x-|cross-origin|referrer|origin-agent)/.test(k) && k !== 'x-request-id'));
    const reference = helmetHeaders((await t.app.inject({ method: 'GET', url: '/healthz' })).headers);
    expect(Object.keys(reference).length).toBeGreaterThan(8);
    for (let i = 0; i < 2; i++) {
      const res = await post({ email: `headers-${i}@example.org` });
      expect(helmetHeaders(res.headers)).toEqual(reference);
    }
  });

  it('records every change in the audit trail', async () => {
    await post({ email: 'audited@example.org', topics: ['llm'] });
    const events = await queryRows<{ action: string; via: string; detail: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT action, via, detail FROM audit_events a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.email = 'audited@example.org'`,
    );
    expect(events).toEqual([
      { action: 'subscribed', via: 'api', detail: { confirmationSent: true, preferences: expect.objectContaining({ topics: ['llm'] }) } },
    ]);
  });
});
