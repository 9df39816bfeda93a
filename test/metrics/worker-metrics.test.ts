/**
 * A real `paperboy worker` process (BullMQ on the real Redis, the real
 * Postgres, a real SMTP server) serves its own /metrics on METRICS_PORT, and
 * its counters move when it sends. Its stdout is JSON (not a terminal) at
 * LOG_LEVEL, and every line of a job names the job.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runs, subscribers } from '../../src/db/schema.ts';
import { createQueues, type Queues } from '../../src/jobs/queues.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { spawnWorker } from '../helpers/worker-process.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `pbworkermetrics-${randomUUID().slice(0, 8)}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sink: SmtpSink;
let queues: Queues;
let worker: ChildProcess;
let port: number;
const lines: Record<string, unknown>[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  for (const deadline = Date.now() + ms; ; await sleep(100)) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const scrape = async () => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};
/** The value of one series, named as it is printed: `name` or `name{label="v"}`. */
const sample = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);

beforeAll(async () => {
  [database, sink, port] = await Promise.all([createTestDatabase(), startSmtpSink(), freePort()]);
  await runIngest({ db: database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
  queues = createQueues({ connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix });
  worker = spawnWorker(
    {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SMTP_URL: sink.url,
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    { stdout: 'pipe' },
  );

  let rest = '';
  worker.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const l of parts) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  await until('the worker to start', () => lines.some((l) => l.msg === 'worker started'));
});

afterAll(async () => {
  if (worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
  await queues.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await Promise.all([sink.close(), database.drop()]);
});

describe('paperboy worker', () => {
  it('serves its counters on METRICS_PORT and they move when it sends', async () => {
    const before = await scrape();
    expect(sample(before, 'paperboy_emails_sent_total')).toBe(0);
    expect(before).toMatch(/^process_cpu_seconds_total \S+$/m);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);

    await database.db.insert(subscribers).values(['a', 'b', 'c'].map((n) => ({ email: `${n}@worker.example.org`, status: 'active' as const, sendHour: 7 })));
    const job = await queues.plan.add('plan', { day: '2025-12-16' });
    const run = await until('the send run', async () => (await database.db.select().from(runs).where(eq(runs.kind, 'send')))[0]);
    expect(run.stats).toMatchObject({ planned: 3, sent: 3, failed: 0 });
    const after = await scrape();
    expect(sample(after, 'paperboy_emails_sent_total')).toBe(3);
    expect(sample(after, 'paperboy_smtp_send_duration_seconds_count{outcome="sent"}')).toBe(3);

    // JSON lines at LOG_LEVEL=info: the plan and send jobs name themselves on every line.
    const planLine = lines.find((l) => l.msg === 'deliveries planned');
    expect(planLine).toMatchObject({ job: 'plan', jobId: job.id, runId: run.stats.runId, level: 30 });
    expect(lines.find((l) => l.msg === 'send run finished')).toMatchObject({ job: 'send', jobId: expect.stringContaining(String(run.stats.runId)), runId: run.stats.runId });
    expect(lines.filter((l) => l.level === 20)).toEqual([]); // debug lines stay out at info
  });
});
