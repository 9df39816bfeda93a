/**
 * The mail relay is down for the whole run: nothing is dropped or failed, and
 * everything goes out once it is back — in the embedded runner and through
 * BullMQ alike.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { countByStatus } from '../../src/delivery/progress.ts';
import { startWorkers } from '../../src/jobs/bullmq-workers.ts';
import type { JobContext } from '../../src/jobs/context.ts';
import { planJob } from '../../src/jobs/processors.ts';
import { runBatchesInline } from '../../src/jobs/send-run.ts';
import { silentLogger } from '../../src/log.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { freePort } from '../helpers/ports.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const sinks: SmtpSink[] = [];


async function contextFor(port: number): Promise<JobContext> {
  const config = loadConfig({ DATABASE_URL: database.url, SECRET: 'r'.repeat(40), SMTP_URL: `smtp://127.0.0.1:${port}`, SEND_BATCH_SIZE: '3' });
  const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: config.MAIL_FROM });
  return { config, db: database.db, log: silentLogger, mailer, secrets: { current: 'r'.repeat(40) }, now: () => new Date(), relayPauseMs: 150, retryDelayMs: 50 };
}

beforeAll(async () => {
  database = await createTestDatabase();
  await runIngest({ db: database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
});
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  await database.drop();
});
beforeEach(async () => {
  await database.db.execute(sql`TRUNCATE subscribers CASCADE`);
  await database.db.insert(subscribers).values(Array.from({ length: 7 }, (_, i) => ({ email: `r${i}@example.org`, status: 'active' as const })));
});

const allDeliveries = async () => countByStatus(database.db, (await database.db.select({ id: deliveries.id }).from(deliveries)).map((r) => r.id));

describe('when the mail relay is down', () => {
  it('the embedded runner waits, fails nobody, and sends everything once the relay is back', async () => {
    const port = await freePort();
    const ctx = await contextFor(port);
    const plan = await planJob(ctx, '2025-12-16');
    expect(plan.planned).toHaveLength(7);
    const run = runBatchesInline(ctx, plan);
    await sleep(1000);
    expect(await allDeliveries()).toMatchObject({ sent: 0, failed: 0, skipped: 0 });
    const sink = await startSmtpSink({ port });
    sinks.push(sink);
    const totals = await run;
    expect(totals).toEqual({ sent: 7, skipped: 0, failed: 0 });
    expect(await allDeliveries()).toMatchObject({ sent: 7, queued: 0, sending: 0 });
    // Waiting did not use up the deliveries' tries.
    const attempts = await database.db.select({ a: deliveries.attempts }).from(deliveries);
    expect(attempts.every((r) => r.a === 1)).toBe(true);
    await ctx.mailer.close();
  });

  it('BullMQ pauses the send queue instead of failing jobs, and resumes', async () => {
    const port = await freePort();
    const ctx = await contextFor(port);
    const prefix = `pbdown-${randomUUID().slice(0, 8)}`;
    const workers = await startWorkers(ctx, { connection: { url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: null }, prefix, schedule: false });
    try {
      await workers.queues.plan.add('plan', { day: '2025-12-16' });
      await sleep(1500);
      expect(await allDeliveries()).toMatchObject({ sent: 0, failed: 0 });
      expect(await workers.queues.send.getFailedCount()).toBe(0);
      const sink = await startSmtpSink({ port });
      sinks.push(sink);
      for (const deadline = Date.now() + 20_000; ; await sleep(100)) {
        const c = await allDeliveries();
        if (c.sent === 7) break;
        if (Date.now() > deadline) throw new Error(`not sent: ${JSON.stringify(c)}`);
      }
      expect(await workers.queues.send.getFailedCount()).toBe(0);
    } finally {
      await workers.close();
      await ctx.mailer.close();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });
});
