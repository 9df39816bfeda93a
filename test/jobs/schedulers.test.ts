/**
 * The job schedulers survive Redis losing its data: a worker's check finds
 * them missing after FLUSHALL, re-creates them, counts it, and adds one
 * planner tick that resumes queued deliveries of any age. On a Redis of our
 * own (test/helpers/own-servers.ts): FLUSHALL must never hit the shared one.
 * (The whole story, mid-send with a worker process: test/faults/redis-loss.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startWorkers, type Workers } from '../../src/jobs/bullmq-workers.ts';
import { checkInterval } from '../../src/jobs/schedulers.ts';
import { silentLogger } from '../../src/log.ts';
import { createMailer } from '../../src/mail/create-mailer.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startOwnRedis, type OwnRedis } from '../helpers/own-servers.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: OwnRedis;
let workers: Workers;
const metrics = createMetrics();

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), startOwnRedis()]);
  // Ticks far apart: nothing runs by itself during the test.
  const config = loadConfig({ DATABASE_URL: database.url, SECRET: 's'.repeat(40), PLAN_CRON: '0 0 1 1 *', INGEST_CRON: '0 0 1 1 *' });
  const ctx = { config, db: database.db, log: silentLogger, mailer: createMailer(config), secrets: { current: 's'.repeat(40) }, now: () => new Date(), metrics };
  workers = await startWorkers(ctx, { connection: { url: redis.url, maxRetriesPerRequest: null } });
});
afterAll(async () => {
  await workers?.close();
  await Promise.all([redis?.stop(), database?.drop()]);
});

const restored = async (scheduler: string) => (await metrics.schedulersRestored.get()).values.find((v) => v.labels.scheduler === scheduler)?.value ?? 0;

describe('job schedulers after Redis lost its data', () => {
  it('are left alone while they exist', async () => {
    expect(await workers.schedulers!.check()).toEqual([]);
    expect(await restored('plan')).toBe(0);
  });

  it('are re-created after FLUSHALL, with a resume tick, and counted', async () => {
    await redis.flushAll();
    expect(await workers.queues.plan.getJobScheduler('plan')).toBeFalsy();
    expect((await workers.schedulers!.check()).sort()).toEqual(['ingest-hourly', 'plan', 'retention-daily']);
    expect(await workers.queues.plan.getJobScheduler('plan')).toMatchObject({ key: 'plan', next: expect.any(Number) });
    expect(await workers.queues.ingest.getJobScheduler('ingest-hourly')).toMatchObject({ key: 'ingest-hourly' });
    expect(await workers.queues.retention.getJobScheduler('retention-daily')).toMatchObject({ key: 'retention-daily' });
    expect([await restored('plan'), await restored('ingest-hourly')]).toEqual([1, 1]);
    const resume = (await workers.queues.plan.getJobs(['waiting', 'active', 'completed', 'failed'])).filter((j) => j.id?.startsWith('resume-'));
    expect(resume.map((j) => j.data)).toEqual([{ resumeQueued: true }]);
    // Repaired: the next check finds everything in place.
    expect(await workers.schedulers!.check()).toEqual([]);
  });

  it('checks every half planner interval, between 1 s and a minute', () => {
    expect(checkInterval('*/15 * * * *')).toBe(60_000);
    expect(checkInterval('* * * * *')).toBe(30_000);
    expect(checkInterval('*/2 * * * * *')).toBe(1000);
  });
});
