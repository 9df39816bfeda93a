/**
 * Delivery end to end: BullMQ on the real Redis, the real Postgres, and a real
 * SMTP server in its own process (test/helpers/smtp-sink.ts).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { deliveries, papers, sentPapers, subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import { claimDeliveries } from '../../src/delivery/deliveries.repo.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { countByStatus } from '../../src/delivery/progress.ts';
import { sendBatch } from '../../src/delivery/send-batch.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { cardUrl } from '../../src/digest/cards.ts';
import { selectDigests } from '../../src/digest/select.ts';
import { startWorkers, type Workers } from '../../src/jobs/bullmq-workers.ts';
import { cachesForRuns } from '../../src/jobs/context.ts';
import { silentLogger } from '../../src/log.ts';
import { createMailer } from '../../src/mail/create-mailer.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { verifyFeedback } from '../../src/profile/feedback-token.ts';
import { verifyToken } from '../../src/subscribers/tokens.ts';
import { startSendSetup, type SendSetup } from '../helpers/send-setup.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

const REDIS = { url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };
const secrets = { current: 'k'.repeat(40) };

/** The address each paper's card links to (the seeds are demo papers: an arXiv title search). */
const cardUrls = async (ids: string[]) => {
  const rows = await database.db.select({ id: papers.id, title: papers.title }).from(papers).where(inArray(papers.id, ids));
  return ids.map((id) => cardUrl(rows.find((r) => r.id === id)!));
};
/** The papers the no-repeat ledger records as sent to a subscriber in a period. */
const ledgerOf = async (subscriberId: string, period: string) => {
  const [row] = await database.db.select().from(sentPapers).where(and(eq(sentPapers.subscriberId, subscriberId), eq(sentPapers.period, period)));
  return row?.paperIds ?? [];
};

let setup: SendSetup;
let database: SendSetup['database'];
let sink: SendSetup['sink'];
let ctx: SendSetup['ctx'];
let workers: Workers;

beforeAll(async () => {
  setup = await startSendSetup({
    secret: secrets.current,
    env: { SEND_BATCH_SIZE: '4', BOUNCE_LIMIT: '1' },
    seed: (db) => runIngest({ db, source: fileSource('seeds/papers.json'), days: [undefined] }),
  });
  ({ database, sink, ctx } = setup);
  workers = await startWorkers(ctx, { connection: REDIS, prefix: `pbtest-${randomUUID()}`, schedule: false });
});

afterAll(async () => {
  const keys = workers.queues.send.opts.prefix;
  await workers.close();
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS.url);
  const stale = await redis.keys(`${keys}:*`);
  if (stale.length) await redis.del(...stale);
  await redis.quit();
  await setup.close();
});

beforeEach(async () => {
  await database.db.execute(sql`TRUNCATE subscribers CASCADE`);
  sink.messages.length = 0;
  await sink.clearReplies();
});

async function addActive(emails: string[], over: Partial<typeof subscribers.$inferInsert> = {}) {
  return database.db
    .insert(subscribers)
    .values(emails.map((email) => ({ email, status: 'active' as const, sendHour: 7, ...over })))
    .returning();
}

/** The sink reports messages over IPC: wait until `n` have arrived. */
async function arrived(n: number) {
  for (const deadline = Date.now() + 10_000; sink.messages.length < n; await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`only ${sink.messages.length} of ${n} messages arrived`);
  }
}

/** Plans day D through the plan queue and waits until that day's (daily) deliveries have settled. */
async function sendDay(day: string, timeoutMs = 20_000) {
  await workers.queues.plan.add('plan', { day });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await database.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.period, day));
    const c = await countByStatus(database.db, rows.map((r) => r.id));
    if (rows.length && c.queued + c.sending === 0) return c;
    if (Date.now() > deadline) throw new Error(`deliveries did not settle: ${JSON.stringify(c)}`);
    await sleep(100);
  }
}

describe('sending digests through BullMQ and SMTP', () => {
  it('sends each active subscriber one digest with the list headers, text part first', async () => {
    const subs = await addActive(['ada@example.org', 'alan@example.org', 'grace@example.org'], { topics: ['llm'] });
    await addActive(['paused@example.org'], { status: 'paused' });
    const counts = await sendDay('2025-12-16');
    expect(counts).toMatchObject({ sent: 3, failed: 0 });
    await arrived(3);
    expect(sink.messages.map((m) => m.to[0]).sort()).toEqual(['ada@example.org', 'alan@example.org', 'grace@example.org']);

    const rows = await database.db.select().from(deliveries).where(inArray(deliveries.subscriberId, subs.map((s) => s.id)));
    const ada = sink.messages.find((m) => m.to[0] === 'ada@example.org')!;
    const adaRow = rows.find((r) => r.subscriberId === subs[0]!.id)!;
    // Unfolded: long values (the unsubscribe URL) are folded onto continuation lines.
    const header = (name: string) => ada.parsed.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ').slice(name.length + 1).trim();

    expect(adaRow.status).toBe('sent');
    // A sent row lets go of its papers: the no-repeat ledger holds what was sent.
    expect(adaRow.chosenPapers).toBeNull();
    const adaPapers = await ledgerOf(subs[0]!.id, '2025-12-16');
    expect(adaPapers.length).toBeGreaterThan(0);
    expect(ada.parsed.messageId).toBe(`<digest.${adaRow.id}@papers.example.org>`);
    expect(ada.from).toBe('digest@papers.example.org');
    expect(ada.parsed.subject).toMatch(/^Daily Papers · Dec 16 — /);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('list-id')).toBe('paperboy daily <daily.papers.example.org>');
    expect(ada.parsed.date).toBeInstanceOf(Date);
    const unsubscribe = /^<(https:\/\/papers\.example\.org\/unsubscribe\?token=([\w.-]+))>$/.exec(header('list-unsubscribe') ?? '');
    expect(unsubscribe).not.toBeNull();
    expect(verifyToken(secrets, 'unsubscribe', unsubscribe![2])).toMatchObject({ ok: true, subscriberId: subs[0]!.id });
    // multipart/alternative, text first, both parts holding the same link.
    expect(ada.raw.indexOf('text/plain')).toBeLessThan(ada.raw.indexOf('text/html'));
    expect(ada.parsed.text).toContain(unsubscribe![1]);
    expect(ada.parsed.html).toContain(unsubscribe![1]);
    for (const url of await cardUrls(adaPapers)) expect(ada.parsed.text).toContain(url);
    // Every card carries Ada's own signed feedback links for its paper.
    const feedback = [...String(ada.parsed.html).matchAll(/href="https:\/\/papers\.example\.org\/feedback\?token=([\w.-]+)"/g)].map((m) => verifyFeedback(secrets, m[1]));
    expect(feedback.filter((f) => f.ok && f.action === 'more').map((f) => f.ok && f.paperId)).toEqual(adaPapers);
    expect(feedback.every((f) => f.ok && f.subscriberId === subs[0]!.id)).toBe(true);
    expect(ada.parsed.text).toMatch(/^ {3}More like this: https:\/\/papers\.example\.org\/feedback\?token=/m);
  });

  it('records the run when BullMQ fails a batch without running it (a job that stalled too often)', async () => {
    await addActive(Array.from({ length: 8 }, (_, i) => `stall-${i}@example.org`)); // two batches of 4
    const send = workers.queues.send;
    await send.pause();
    try {
      await workers.queues.plan.add('plan', { day: '2025-12-17' });
      for (const deadline = Date.now() + 10_000; (await send.getJobCountByTypes('waiting')) < 2; await sleep(50)) {
        if (Date.now() > deadline) throw new Error('the send jobs were not enqueued');
      }
      const [doomed] = await send.getJobs(['waiting']);
      // What BullMQ's stalled-job checker writes on a job that stalled more
      // often than allowed: the next worker to take it fails it unrun.
      await workers.queues.redis().hset(`${workers.queues.prefix}:${send.name}:${doomed!.id}`, 'defa', 'job stalled more than allowable limit');
      const runId = (doomed!.data as { runId: string }).runId;
      await send.resume();

      const recorded = async () =>
        (await queryRows<{ stats: Record<string, number> }>(database.db, sql`SELECT stats FROM runs WHERE kind = 'send' AND stats->>'runId' = ${runId}`))[0];
      await expect.poll(recorded, { timeout: 10_000, interval: 100 }).toBeDefined();
      expect((await recorded())!.stats).toMatchObject({ batches: 2, sent: 4, failed: 0 });
      // The failed batch's deliveries were never claimed: the next run sends them.
      const left = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM deliveries WHERE period = '2025-12-17' AND status = 'queued'`);
      expect(left[0]!.n).toBe(4);
    } finally {
      await send.resume();
    }
  });

  it('sends nothing twice: a second pass for the same day plans nothing', async () => {
    await addActive(['once@example.org']);
    await sendDay('2025-12-16');
    await workers.queues.plan.add('plan', { day: '2025-12-16' });
    await sleep(500);
    await arrived(1);
    expect(sink.messages.filter((m) => m.to[0] === 'once@example.org')).toHaveLength(1);
  });

  it('does not repeat papers on the next day', async () => {
    const [s] = await addActive(['daily@example.org']);
    await sendDay('2025-12-16');
    await sendDay('2025-12-17');
    const rows = await database.db.select().from(deliveries).where(eq(deliveries.subscriberId, s!.id));
    const [first, second] = [rows.find((r) => r.period === '2025-12-16')!, rows.find((r) => r.period === '2025-12-17')!];
    expect(first.status).toBe('sent');
    const sentFirst = await ledgerOf(s!.id, '2025-12-16');
    expect(sentFirst.length).toBeGreaterThan(0);
    for (const id of second.status === 'sent' ? await ledgerOf(s!.id, '2025-12-17') : []) expect(sentFirst).not.toContain(id);
    if (second.status === 'skipped') expect(second.reason).toMatch(/already sent|no papers/);
  });

  it('retries a 421 with backoff and then delivers', async () => {
    const [s] = await addActive(['busy@example.org']);
    await sink.reply('busy@example.org', 421, '4.3.2 try again later', { stage: 'data', times: 2 });
    const counts = await sendDay('2025-12-16');
    expect(counts).toMatchObject({ sent: 1, failed: 0 });
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.subscriberId, s!.id));
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    await arrived(1);
    expect(sink.messages.filter((m) => m.to[0] === 'busy@example.org')).toHaveLength(1);
  });

  it('fails a 550 at once and suppresses the subscriber', async () => {
    const [gone, ok] = await addActive(['gone@example.org', 'fine@example.org']);
    await sink.reply('gone@example.org', 550, '5.1.1 no such user');
    const counts = await sendDay('2025-12-16');
    expect(counts).toMatchObject({ sent: 1, failed: 1 });
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.subscriberId, gone!.id));
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.reason).toMatch(/550/);
    const [sub] = await database.db.select().from(subscribers).where(eq(subscribers.id, gone!.id));
    expect(sub).toMatchObject({ status: 'bounced', hardBounces: 1 });
    // Suppressed: never planned again.
    await sendDay('2025-12-17');
    const later = await database.db.select().from(deliveries).where(eq(deliveries.subscriberId, gone!.id));
    expect(later).toHaveLength(1);
    expect(ok).toBeDefined();
  });
});

describe('resuming a delivery after a crash', () => {
  it('sends the papers chosen before the crash, in their order, with the same Message-ID', async () => {
    const [s] = await addActive(['resumed@example.org']);
    const [planned] = await planDeliveries(database.db, { now: new Date(), day: '2025-12-16' });
    // A worker claimed it, chose its papers, and died before recording the send.
    const claimedAt = new Date(Date.now() - 120_000);
    const fresh = await selectDigests(database.db, [{ subscriber: { id: s!.id, topics: [], keywords: [] }, period: periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-16') }], ctx.config);
    expect(fresh[0]!.kind).toBe('digest');
    const chosenBefore = (fresh[0] as { papers: { id: string }[] }).papers.map((p) => p.id).slice(0, 3).reverse();
    await claimDeliveries(database.db, [{ id: planned!.id, paperIds: chosenBefore }], claimedAt, 10);

    // Its lease has run out; the next batch resumes it.
    const caches = cachesForRuns(ctx)('resume-test');
    const outcome = await sendBatch({ db: database.db, log: silentLogger, mailer: ctx.mailer, config: ctx.config, now: () => new Date(), ...caches }, [planned!.id]);
    expect(outcome).toMatchObject({ claimed: 1, sent: 1 });
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.id, planned!.id));
    expect(row).toMatchObject({ status: 'sent', chosenPapers: null, attempts: 2 });
    expect(await ledgerOf(s!.id, '2025-12-16')).toEqual(chosenBefore);
    await arrived(1);
    const mail = sink.messages.find((m) => m.to[0] === 'resumed@example.org')!;
    expect(mail.parsed.messageId).toBe(`<digest.${planned!.id}@papers.example.org>`);
    const order = (await cardUrls(chosenBefore)).map((url) => mail.parsed.text!.indexOf(url));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('messages in flight', () => {
  /** Sends one batch of 30 to a relay answering each message after 300 ms; the most connections it saw open at once. */
  async function peakConnections(env: { SEND_CONCURRENCY: string; SMTP_MAX_CONNECTIONS: string }): Promise<number> {
    const slow = await startSmtpSink({ light: true, delayMs: 300 });
    const config = loadConfig({ SMTP_URL: slow.url, PUBLIC_URL: 'https://papers.example.org', ...env });
    const mailer = createMailer(config);
    try {
      await addActive(Array.from({ length: 30 }, (_, i) => `flight${i}.${env.SMTP_MAX_CONNECTIONS}@example.org`));
      const ids = (await planDeliveries(database.db, { now: new Date(), day: '2025-12-16' })).map((p) => p.id);
      const caches = cachesForRuns({ ...ctx, config: { ...ctx.config, SEND_CONCURRENCY: config.SEND_CONCURRENCY }, mailer })('flight');
      const out = await sendBatch({ db: database.db, log: silentLogger, mailer, config: { ...ctx.config, SEND_CONCURRENCY: config.SEND_CONCURRENCY }, now: () => new Date(), ...caches }, ids);
      expect(out).toMatchObject({ claimed: 30, sent: 30 });
      return await slow.maxOpenConnections();
    } finally {
      await mailer.close();
      await slow.close();
    }
  }

  it('opens as many SMTP connections as SEND_CONCURRENCY messages in flight, up to SMTP_MAX_CONNECTIONS', async () => {
    expect(await peakConnections({ SEND_CONCURRENCY: '30', SMTP_MAX_CONNECTIONS: '100' })).toBe(30);
    expect(await peakConnections({ SEND_CONCURRENCY: '30', SMTP_MAX_CONNECTIONS: '8' })).toBe(8);
  });
});
