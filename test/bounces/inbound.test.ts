/**
 * The inbound SMTP endpoint end to end: real Postgres, a real SMTP client
 * (nodemailer) talking to `paperboy`'s smtp-server, reports quoting real
 * digests. A DSN suppresses after BOUNCE_LIMIT, an ARF complaint at once, a
 * soft bounce never; mail for other addresses is refused; what cannot be
 * used is answered 250, counted and logged.
 */
import { eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBounceServer, type BounceServer } from '../../src/bounces/inbound-smtp.ts';
import { loadConfig } from '../../src/config.ts';
import { auditEvents, deliveries, subscribers } from '../../src/db/schema.ts';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { makeDigestPaper } from '../helpers/digest.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { arf, dsn } from './reports.ts';

const BOUNCE = 'bounces@mx.example.org';
const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_FROM: 'paperboy <digest@example.org>', BOUNCE_ADDRESS: BOUNCE, BOUNCE_VERP: 'on', BOUNCE_LIMIT: '2' });

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let server: BounceServer;
const metrics = createMetrics();
const logLines: Record<string, unknown>[] = [];
const log = pino({ level: 'info' }, { write: (l: string) => void logLines.push(JSON.parse(l) as Record<string, unknown>) });

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startBounceServer({ db: database.db, config, log, metrics: metrics.bounces, bounceAddress: BOUNCE, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const smtp = () => createTransport({ host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true });
/** Delivers like a receiving MTA: null reverse path, to the given bounce address. */
const deliver = async (to: string, raw: string) => {
  const t = smtp();
  try {
    return await t.sendMail({ envelope: { from: '', to }, raw });
  } finally {
    t.close();
  }
};

/** A subscriber with one sent digest per period; returns the digest's raw headers per delivery. */
async function sentDigests(email: string, periods: string[]) {
  const [sub] = await database.db.insert(subscribers).values({ email, status: 'active' }).returning();
  const composer = createDigestComposer(config, { current: 'k'.repeat(40) });
  const out: { id: string; headers: string; raw: string }[] = [];
  for (const p of periods) {
    const [d] = await database.db.insert(deliveries).values({ subscriberId: sub!.id, period: p, status: 'sent', scheduledFor: new Date(`${p}T07:00:00Z`) }).returning();
    const mail = await composer.compose(
      { kind: 'digest', subscriberId: sub!.id, period: periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, p), mix: { topics: ['llm'], keywords: [] }, papers: [makeDigestPaper({ id: '2512.00001' })] },
      d!,
      email,
      new Date(`${p}T07:00:00Z`),
    );
    const raw = mail.raw.toString();
    out.push({ id: d!.id, headers: raw.slice(0, raw.indexOf('\r\n\r\n')), raw });
  }
  return { subscriber: sub!, digests: out };
}

const subscriber = async (id: string) => (await database.db.select().from(subscribers).where(eq(subscribers.id, id)))[0]!;
const audit = async (id: string) => (await database.db.select().from(auditEvents).where(eq(auditEvents.subscriberId, id))).map((a) => [a.action, (a.detail as { source?: string }).source]);
async function counted(outcome: string): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString('paperboy_bounce_reports_total');
  return Number(new RegExp(`source="smtp",outcome="${outcome}"} (\\d+)`).exec(text)?.[1] ?? 0);
}

describe('inbound bounce endpoint', () => {
  it('suppresses after BOUNCE_LIMIT hard DSNs, matched by VERP tag and by the quoted Message-ID', async () => {
    const { subscriber: ada, digests } = await sentDigests('ada@receiver.example', ['2025-12-15', '2025-12-16']);
    // By VERP tag alone: this DSN quotes nothing of the message.
    const first = await deliver(`bounces+digest.${digests[0]!.id}@mx.example.org`, dsn({ recipient: 'ada@receiver.example', action: 'failed', status: '5.1.1' }));
    expect(first.response).toMatch(/^250/);
    expect(await subscriber(ada.id)).toMatchObject({ status: 'active', hardBounces: 1 });
    // By Message-ID: to the plain bounce address, quoting the digest's headers.
    await deliver(BOUNCE, dsn({ recipient: 'ada@receiver.example', action: 'failed', status: '5.1.1', originalHeaders: digests[1]!.headers }));
    expect(await subscriber(ada.id)).toMatchObject({ status: 'bounced', hardBounces: 2 });
    expect(await audit(ada.id)).toEqual([['bounce:hard', 'dsn'], ['suppressed:bounced', 'dsn']]);
    expect(await counted('hard')).toBe(2);
  });

  it('only records a soft bounce (delayed, 4.x.x)', async () => {
    const { subscriber: grace, digests } = await sentDigests('grace@receiver.example', ['2025-12-16']);
    await deliver(BOUNCE, dsn({ recipient: 'grace@receiver.example', action: 'delayed', status: '4.4.1', originalHeaders: digests[0]!.headers }));
    expect(await subscriber(grace.id)).toMatchObject({ status: 'active', hardBounces: 0 });
    expect(await audit(grace.id)).toEqual([['bounce:soft', 'dsn']]);
    expect(await counted('soft')).toBe(1);
  });

  it('suppresses at once on an ARF complaint quoting the digest', async () => {
    const { subscriber: alan, digests } = await sentDigests('alan@receiver.example', ['2025-12-16']);
    await deliver(BOUNCE, arf({ recipient: 'alan@receiver.example', original: digests[0]!.raw }));
    expect(await subscriber(alan.id)).toMatchObject({ status: 'complained' });
    expect(await audit(alan.id)).toEqual([['suppressed:complained', 'arf']]);
    expect(await counted('complaint')).toBe(1);
  });

  it('refuses mail for any other address (no open relay)', async () => {
    await expect(deliver('postmaster@mx.example.org', 'Subject: hi\r\n\r\nhello\r\n')).rejects.toMatchObject({ responseCode: 550 });
    await expect(deliver('bounces+x@elsewhere.example', 'Subject: hi\r\n\r\nhello\r\n')).rejects.toMatchObject({ responseCode: 550 });
  });

  it('accepts, counts and logs mail it cannot use, and never suppresses on an address alone', async () => {
    const { subscriber: kay } = await sentDigests('kay@receiver.example', ['2025-12-16']);
    const before = { other: await counted('other'), unmatched: await counted('unmatched'), unparsable: await counted('unparsable') };
    // An out-of-office reply.
    expect((await deliver(BOUNCE, 'From: kay@receiver.example\r\nSubject: Out of office\r\n\r\nAway until Monday.\r\n')).response).toMatch(/^250/);
    // A DSN naming a subscriber's address but no delivery of ours, and one for a delivery that does not exist.
    await deliver(BOUNCE, dsn({ recipient: 'kay@receiver.example', action: 'failed', status: '5.1.1' }));
    await deliver('bounces+digest.00000000-0000-4000-8000-000000000000@mx.example.org', dsn({ recipient: 'kay@receiver.example', action: 'failed', status: '5.1.1' }));
    // A report without its per-recipient part.
    await deliver(BOUNCE, dsn({ recipient: 'kay@receiver.example', action: 'failed', status: '5.1.1', perRecipient: false }));
    expect(await subscriber(kay.id)).toMatchObject({ status: 'active', hardBounces: 0 });
    expect(await counted('other')).toBe(before.other + 1);
    expect(await counted('unmatched')).toBe(before.unmatched + 2);
    expect(await counted('unparsable')).toBe(before.unparsable + 1);
    expect(logLines.filter((l) => l.msg === 'bounce mail matches no delivery')).toHaveLength(2);
    expect(logLines.some((l) => l.msg === 'bounce mail unparsable' && String(l.reason).includes('per-recipient'))).toBe(true);
  });
});
