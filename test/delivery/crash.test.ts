/**
 * Exactly one digest per subscriber, even when the worker dies: a real worker
 * process (`paperboy worker`, BullMQ on the real Redis) sending to a real SMTP
 * server is SIGKILLed several times during a 5,000-subscriber send and started
 * again each time. At the end every subscriber has received one digest; a
 * message received twice can only be the resend of one killed between the
 * relay's 250 and the commit, and then it carries the same Message-ID. The
 * run that planned everyone is recorded with figures that account for each of
 * its deliveries (counted from the table, so the kills do not shrink them).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { spawnWorker } from '../helpers/worker-process.ts';

const SUBSCRIBERS = 5000;
const KILLS = 3;
const prefix = `pbcrash-${randomUUID().slice(0, 8)}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sink: SmtpSink;
let worker: ChildProcess | undefined;

function startWorker(): ChildProcess {
  return spawnWorker({
    DATABASE_URL: database.url,
    REDIS_PREFIX: prefix,
    SMTP_URL: sink.url,
    MAIL_FROM: 'paperboy <digest@crash.example.org>',
    SEND_LEASE_SECONDS: '10',
    SEND_BATCH_SIZE: '50',
    SEND_CONCURRENCY: '10',
    // The planner ticks every 2 s here, so deliveries stranded by a kill are resumed quickly.
    PLAN_CRON: '*/2 * * * * *',
  });
}

const statusCounts = async () =>
  Object.fromEntries(
    (await database.db.execute(sql`SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`) as unknown as { rows: { status: string; n: number }[] }).rows.map((r) => [r.status, r.n]),
  ) as Record<string, number>;

beforeAll(async () => {
  [database, sink] = await Promise.all([createTestDatabase(), startSmtpSink({ light: true })]);
  // Real seed papers, appearing on Daily Papers over the last two days: the
  // worker's own planner (every 2 s) plans today, as it would in production.
  const seeds = (await fileSource('seeds/papers.json').fetch()).papers.slice(0, 40);
  const now = Date.now();
  await upsertPapers(database.db, seeds.map((p, i) => ({ ...p, dailyAt: new Date(now - (i + 1) * 3_600_000) })));
  const mixes: string[][] = [[], ['llm'], ['reasoning'], ['vision', 'multimodal'], ['efficiency'], ['llm', 'data']];
  const rows = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
    email: `reader${i}@crash.example.org`,
    status: 'active' as const,
    topics: mixes[i % mixes.length]!,
    // Due now wherever they are: midnight local time has passed in every zone.
    sendHour: 0,
    timezone: ['UTC', 'Europe/Berlin', 'America/New_York'][i % 3]!,
  }));
  for (let i = 0; i < rows.length; i += 1000) await database.db.insert(subscribers).values(rows.slice(i, i + 1000));
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await Promise.all([sink.close(), database.drop()]);
});

describe('a worker killed mid-send', () => {
  it('ends with every subscriber holding exactly one digest', { timeout: 240_000 }, async () => {
    worker = startWorker();
    let kills = 0;
    const sentAtKill: number[] = [];
    let lastSent = 0;
    while (kills < KILLS) {
      // Kill only while sends are visibly under way: wait for progress since the last kill.
      for (const until = Date.now() + 60_000; ((await statusCounts()).sent ?? 0) < lastSent + 200 && Date.now() < until; ) await sleep(100);
      await sleep(200 + Math.random() * 600);
      const sent = (await statusCounts()).sent ?? 0;
      if (sent >= SUBSCRIBERS) break;
      sentAtKill.push(sent);
      lastSent = sent;
      worker.kill('SIGKILL');
      await new Promise((r) => worker!.once('exit', r));
      kills++;
      worker = startWorker();
    }
    expect(kills).toBeGreaterThan(0);

    const deadline = Date.now() + 200_000;
    for (;;) {
      const c = await statusCounts();
      if ((c.queued ?? 0) + (c.sending ?? 0) === 0 && Object.values(c).reduce((a, b) => a + b, 0) === SUBSCRIBERS) break;
      if (Date.now() > deadline) throw new Error(`not finished: ${JSON.stringify(c)}`);
      await sleep(500);
    }
    // The first run's killed batches close it once BullMQ re-runs them (its stall check, every 30 s).
    type RunStats = { planned: number; resumed: number; sent: number; skipped: number; failed: number; unfinished: number };
    const runs = async () => ((await database.db.execute(sql`SELECT stats FROM runs WHERE kind = 'send'`)) as unknown as { rows: { stats: RunStats }[] }).rows.map((r) => r.stats);
    for (const until = Date.now() + 90_000; !(await runs()).some((r) => r.planned === SUBSCRIBERS); await sleep(500)) {
      if (Date.now() > until) throw new Error(`the first send run was never recorded: ${JSON.stringify(await runs())}`);
    }
    worker.kill('SIGTERM');
    await new Promise((r) => worker!.once('exit', r));
    await sleep(500); // last envelopes over IPC

    const c = await statusCounts();
    expect(c).toEqual({ sent: SUBSCRIBERS });
    const [rows] = [await database.db.select({ n: sql<number>`count(DISTINCT subscriber_id)::int` }).from(deliveries)];
    expect(rows[0]?.n).toBe(SUBSCRIBERS);

    const byRecipient = new Map<string, Set<string>>();
    let received = 0;
    for (const e of sink.envelopes) {
      for (const to of e.to) {
        received++;
        if (!byRecipient.has(to)) byRecipient.set(to, new Set());
        byRecipient.get(to)!.add(e.messageId);
      }
    }
    // Everyone got it; nobody got two different digests.
    expect(byRecipient.size).toBe(SUBSCRIBERS);
    const differing = [...byRecipient.values()].filter((ids) => ids.size > 1);
    expect(differing).toEqual([]);
    // Every run's figures account for each delivery it held; the first one's sent covers what it sent.
    for (const r of await runs()) expect(r.sent + r.skipped + r.failed + r.unfinished).toBe(r.planned + r.resumed);
    const first = (await runs()).find((r) => r.planned === SUBSCRIBERS)!;
    expect(first.sent + first.unfinished).toBe(SUBSCRIBERS);
    const resent = received - SUBSCRIBERS;
    console.log(`crash test: ${kills} kills (sent so far at each: ${sentAtKill.join(', ')}), ${received} messages for ${SUBSCRIBERS} subscribers, ${resent} resent with the same Message-ID`);
  });
});
