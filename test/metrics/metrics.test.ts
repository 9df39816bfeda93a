/**
 * /metrics end to end: the real Postgres, BullMQ on the real Redis, a real
 * SMTP server. The app and the workers share one registry here, as they do in
 * one process (the embedded default); the worker process's own endpoint has
 * its own test (worker-metrics.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { deliveries, runs, subscribers } from '../../src/db/schema.ts';
import { startWorkers, type Workers } from '../../src/jobs/bullmq-workers.ts';
import type { JobContext } from '../../src/jobs/context.ts';
import { startInlineJobs } from '../../src/jobs/inline-runner.ts';
import { planJob } from '../../src/jobs/processors.ts';
import { runBatchesInline } from '../../src/jobs/send-run.ts';
import { openRunTally, recordSendRun, tallyBatch } from '../../src/jobs/send-runs.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { createMetrics, type Metrics } from '../../src/metrics/registry.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { recordingMailer, TEST_SECRET } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `pbmetrics-${randomUUID().slice(0, 8)}`;
const DAY = '2025-12-16';
const NOW = new Date(`${DAY}T12:00:00Z`);
const TOKEN = 't'.repeat(32);

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sink: SmtpSink;
let config: Config;
let metrics: Metrics;
let app: App;
let workers: Workers;
let ctx: JobContext;
const lines: Record<string, unknown>[] = [];

/** Every log line, parsed: pino writes JSON to the stream passed through the deps. */
const logStream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

beforeAll(async () => {
  [database, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  await runIngest({ db: database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
  config = loadConfig({
    DATABASE_URL: database.url,
    SECRET: TEST_SECRET,
    SMTP_URL: sink.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    ADMIN_TOKEN: TOKEN,
    PUBLIC_URL: 'https://papers.example.org',
    SEND_BATCH_SIZE: '2',
  });
  metrics = createMetrics();
  const log = pino({ level: 'debug' }, logStream);
  const mailer = createSmtpMailer({ url: sink.url, from: config.MAIL_FROM });
  ctx = { config, db: database.db, log, mailer, secrets: { current: TEST_SECRET }, now: () => new Date(), retryDelayMs: 100, relayPauseMs: 200, metrics };
  workers = await startWorkers(ctx, { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix, schedule: false });
  // The clock stands still here: read the database on every scrape (the cache has its own test).
  app = await buildApp({ config, db: database.db, log, mailer: recordingMailer(), metrics, now: () => NOW, stateGaugesMaxAgeMs: 0 });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await workers.close();
  await ctx.mailer.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await Promise.all([sink.close(), database.drop()]);
});

async function scrape(): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** The value of one series, e.g. value(text, 'paperboy_queue_jobs', { queue: 'send', state: 'waiting' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function addActive(emails: string[]) {
  return database.db.insert(subscribers).values(emails.map((email) => ({ email, status: 'active' as const, sendHour: 7 }))).returning();
}

async function settled(day: string) {
  for (const deadline = Date.now() + 20_000; ; await sleep(100)) {
    const rows = await database.db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.period, day));
    if (rows.length && rows.every((r) => r.status !== 'queued' && r.status !== 'sending')) return;
    if (Date.now() > deadline) throw new Error('deliveries did not settle');
  }
}

const sendRuns = () => database.db.select().from(runs).where(eq(runs.kind, 'send'));

describe('GET /metrics', () => {
  it('is valid Prometheus text: HELP and TYPE for every family, one sample per line', async () => {
    const text = await scrape();
    const families = new Map<string, string>();
    for (const line of text.trim().split('\n')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) families.set(type[1]!, type[2]!);
      // Blank lines between families are allowed by the format.
      else if (line && !line.startsWith('# HELP ')) expect(line).toMatch(/^[a-zA-Z_:][\w:]*(\{([a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(\.\d+)?(e[-+]?\d+)?|NaN|[-+]Inf)$/);
    }
    expect(Object.fromEntries(families)).toMatchObject({
      paperboy_http_request_duration_seconds: 'histogram',
      paperboy_emails_sent_total: 'counter',
      paperboy_emails_failed_total: 'counter',
      paperboy_emails_skipped_total: 'counter',
      paperboy_smtp_send_duration_seconds: 'histogram',
      paperboy_papers_ingested_total: 'counter',
      paperboy_subscribers: 'gauge',
      paperboy_deliveries: 'gauge',
      paperboy_papers: 'gauge',
      paperboy_last_ingest_timestamp_seconds: 'gauge',
      paperboy_last_send_run_timestamp_seconds: 'gauge',
      paperboy_queue_jobs: 'gauge',
    });
    expect(value(text, 'paperboy_papers')).toBeGreaterThan(0);
    expect(value(text, 'paperboy_last_ingest_timestamp_seconds')).toBeGreaterThan(Date.parse('2025-01-01') / 1000);
    expect(value(text, 'paperboy_last_send_run_timestamp_seconds')).toBe(0);
  });

  it('labels request durations with the route pattern, not the URL', async () => {
    await app.inject({ method: 'GET', url: '/digests/2025-12-16?topics=llm' });
    await app.inject({ method: 'GET', url: '/digests/2025-12-15' });
    await app.inject({ method: 'GET', url: '/no/such/page' });
    const text = await scrape();
    const count = (route: string) =>
      text.split('\n').filter((l) => l.startsWith('paperboy_http_request_duration_seconds_count{') && l.includes(`route="${route}"`)).reduce((n, l) => n + Number(l.split(' ')[1]), 0);
    expect(count('/digests/:date')).toBe(2);
    expect(count('unmatched')).toBe(1);
    expect(value(text, 'paperboy_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404', method: 'GET' })).toBe(1);
    expect(text).not.toContain('2025-12-15');
    expect(text).not.toContain('/no/such/page');
  });

  it('moves after a send through BullMQ: counters, deliveries of the period, the send run', async () => {
    const before = await scrape();
    await addActive(['ada@example.org', 'alan@example.org', 'grace@example.org', 'gone@example.org']);
    await sink.reply('gone@example.org', 550, '5.1.1 no such user');
    await sink.reply('alan@example.org', 421, '4.3.2 try again later', { stage: 'data', times: 1 });
    const job = await workers.queues.plan.add('plan', { day: DAY });
    await settled(DAY);
    // The run is recorded by the last batch to finish, just after its outcomes are written.
    for (const deadline = Date.now() + 10_000; !(await sendRuns()).length && Date.now() < deadline; ) await sleep(50);
    await sleep(300); // a second row would be a bug: give it the time to appear

    const text = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => (value(text, name, labels) ?? 0) - (value(before, name, labels) ?? 0);
    expect(delta('paperboy_emails_sent_total')).toBe(3);
    expect(delta('paperboy_emails_failed_total', { kind: 'rejected' })).toBe(1);
    expect(delta('paperboy_smtp_send_duration_seconds_count', { outcome: 'temporary' })).toBe(1);
    expect(delta('paperboy_smtp_send_duration_seconds_count', { outcome: 'sent' })).toBe(3);
    expect(value(text, 'paperboy_deliveries', { frequency: 'daily', status: 'sent' })).toBe(3);
    expect(value(text, 'paperboy_deliveries', { frequency: 'daily', status: 'failed' })).toBe(1);
    expect(value(text, 'paperboy_deliveries', { frequency: 'daily', status: 'queued' })).toBe(0);
    expect(value(text, 'paperboy_subscribers', { status: 'active' })).toBe(3);
    expect(value(text, 'paperboy_subscribers', { status: 'bounced' })).toBe(1);

    const recorded = await sendRuns();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.stats).toMatchObject({ planned: 4, resumed: 0, batches: 2, sent: 3, skipped: 0, failed: 1 });
    expect(value(text, 'paperboy_last_send_run_timestamp_seconds')).toBe(recorded[0]!.finishedAt.getTime() / 1000);

    // Every line of the plan and send jobs names its job; delivery lines their delivery.
    const jobLines = lines.filter((l) => l.job === 'plan' || l.job === 'send');
    expect(jobLines.some((l) => l.job === 'plan' && l.jobId === job.id && l.msg === 'deliveries planned')).toBe(true);
    const sendLines = jobLines.filter((l) => l.job === 'send');
    expect(sendLines.length).toBeGreaterThan(2);
    for (const l of sendLines) expect(l).toMatchObject({ jobId: expect.stringMatching(/\S/), runId: recorded[0]!.stats.runId });
    const deliveryLines = lines.filter((l) => /^delivery /.test(String(l.msg)));
    expect(deliveryLines.map((l) => l.msg).sort()).toEqual(['delivery rejected permanently', 'delivery will be retried']);
    for (const l of deliveryLines) expect(l).toMatchObject({ job: 'send', jobId: expect.any(String), deliveryId: expect.any(String) });
  });

  it('records an in-process run once, with skips counted by reason', async () => {
    const day = '2025-12-17';
    const [, paused] = await addActive(['hopper@example.org', 'paused@example.org']);
    const before = await scrape();
    const plan = await planJob(ctx, day);
    // Paused between planning and sending: skipped, not sent.
    await database.db.update(subscribers).set({ status: 'paused' }).where(eq(subscribers.id, paused!.id));
    const totals = await runBatchesInline(ctx, plan);
    expect(totals.skipped).toBeGreaterThanOrEqual(1);
    const text = await scrape();
    const skipped = (reason: string) => (value(text, 'paperboy_emails_skipped_total', { reason }) ?? 0) - (value(before, 'paperboy_emails_skipped_total', { reason }) ?? 0);
    expect(skipped('subscriber_inactive')).toBe(1);
    const rows = (await sendRuns()).filter((r) => r.stats.runId === plan.runId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.stats).toMatchObject({ planned: plan.planned.length, sent: totals.sent, skipped: totals.skipped, failed: totals.failed });
    // Recording again (a retried pass) adds nothing.
    await recordSendRun(database.db, { runId: plan.runId, startedAt: NOW, planned: 0, resumed: 0, batches: 0, sent: 0, skipped: 0, failed: 0, unfinished: 0 });
    expect((await sendRuns()).filter((r) => r.stats.runId === plan.runId)).toHaveLength(1);
  });

  it('counts a day without papers as no_matching_papers', async () => {
    const before = await scrape();
    // Years after the seed papers: nothing in anyone's window.
    const plan = await planJob(ctx, '2030-01-07');
    const totals = await runBatchesInline(ctx, plan);
    expect(plan.planned.length).toBeGreaterThan(0);
    expect(totals).toEqual({ sent: 0, skipped: plan.planned.length, failed: 0 });
    const text = await scrape();
    const key = { reason: 'no_matching_papers' };
    expect((value(text, 'paperboy_emails_skipped_total', key) ?? 0) - (value(before, 'paperboy_emails_skipped_total', key) ?? 0)).toBe(plan.planned.length);
  });

  it('names the job on every line of an in-process pass', async () => {
    const inline = startInlineJobs(ctx, { schedule: false });
    const from = lines.length;
    const pass = await inline.sendPass('2025-12-18');
    await inline.stop();
    expect(pass.planned).toBeGreaterThan(0);
    const mine = lines.slice(from);
    const planned = mine.find((l) => l.msg === 'deliveries planned')!;
    expect(planned).toMatchObject({ job: 'plan', jobId: expect.stringMatching(/^plan-/) });
    const sendLines = mine.filter((l) => l.runId === planned.runId && l !== planned);
    expect(sendLines.map((l) => l.msg)).toContain('send run finished');
    for (const l of sendLines) expect(l).toMatchObject({ job: 'send', jobId: expect.stringMatching(/^\S+\.[0-9a-f-]{36}$/) });
  });

  it('closes a BullMQ run once, even when a finished batch is counted again', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const runId = `tally-${randomUUID()}`;
      await openRunTally(redis, prefix, { runId, startedAt: NOW, planned: 3, resumed: 0, batches: 2 });
      const tally = (jobId: string, sent: number, unfinished = 0) => tallyBatch(redis, prefix, { runId, jobId, sent, skipped: 0, failed: 0, unfinished });
      expect(await tally('a', 2)).toBeUndefined();
      expect(await tally('a', 2)).toBeUndefined(); // the same job re-run after a crash
      expect(await tally('b', 0, 1)).toMatchObject({ runId, planned: 3, batches: 2, sent: 2, unfinished: 1 });
      expect(await tally('b', 1)).toBeUndefined();
    } finally {
      await redis.quit();
    }
  });

  it('counts BullMQ jobs per queue and state', async () => {
    await workers.queues.ingest.add('ingest', {}, { delay: 3_600_000, jobId: 'later' });
    const text = await scrape();
    expect(value(text, 'paperboy_queue_jobs', { queue: 'ingest', state: 'delayed' })).toBe(1);
    for (const queue of ['ingest', 'plan', 'send', 'retention']) {
      for (const state of ['waiting', 'active', 'failed', 'delayed']) expect(value(text, 'paperboy_queue_jobs', { queue, state }), `${queue} ${state}`).toBeTypeOf('number');
    }
    await workers.queues.ingest.remove('later');
  });
});

describe('the queue dashboard', () => {
  it('asks for the admin token or an admin session', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/login');
    // A browser logs in once; the session cookie then opens the dashboard.
    const login = await app.inject({ method: 'POST', url: '/admin/login', payload: { token: TOKEN } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await app.inject({ method: 'GET', url: '/admin/queues', headers: { cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.statusCode).toBe(200);
    expect((api.json() as { queues: { name: string }[] }).queues.map((q) => q.name).sort()).toEqual(['ingest', 'plan', 'retention', 'send']);
  });

  it('does not exist without ADMIN_TOKEN', async () => {
    const open = await buildApp({ config: { ...config, ADMIN_TOKEN: undefined }, db: database.db, log: pino({ level: 'silent' }), mailer: recordingMailer() });
    try {
      expect((await open.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
      expect((await open.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(404);
    } finally {
      await open.close();
    }
  });
});

describe('request logs', () => {
  it('carry the request id on every line of the request', async () => {
    const from = lines.length;
    const res = await app.inject({ method: 'GET', url: '/digests/not-a-date', headers: { 'x-request-id': 'req-7f3a' } });
    expect(res.statusCode).toBe(400);
    const mine = lines.slice(from).filter((l) => l.reqId === 'req-7f3a');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    expect(lines.slice(from).filter((l) => !l.job && l.reqId !== 'req-7f3a')).toEqual([]);
  });

  it('carry it on the confirmation sent after the answer, too', async () => {
    const from = lines.length;
    const res = await app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers: { 'x-request-id': 'req-c0ffee' },
      payload: { email: 'newcomer@example.org', topics: ['llm'] },
    });
    expect(res.statusCode).toBe(202);
    await app.subscribers.confirmations.drain();
    const mine = lines.slice(from).filter((l) => !l.job);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed', 'confirmation sent']));
    for (const l of mine) expect(l.reqId).toBe('req-c0ffee');
  });
});
