/**
 * Redis loses its data in the middle of a send: FLUSHALL, a restart with
 * nothing on disk, a restart from its append-only file. The job schedulers and
 * the queued send jobs go with the first two; the same worker processes must
 * notice (a warning and `paperboy_job_schedulers_restored_total`), re-create
 * the schedulers, resume the stranded deliveries and finish the send — nothing
 * is restarted by hand, and everyone gets exactly one digest.
 */
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.ts';
import { faultResources, report, RECIPIENTS, scrape, seed, startScenario, waitForSent, waitSettled } from './scenario.ts';
import { startOwnRedis } from '../helpers/own-servers.ts';

// This test's database, Redis and scenario, closed after each test.
const t = faultResources();

async function setUp(opts: { aof?: boolean } = {}) {
  [t.database, t.redis] = await Promise.all([createTestDatabase(), startOwnRedis(opts)]);
  await seed(t.database.db);
  // A relay a little slow (20 ms a message), so the fault strikes with most of the send to go.
  t.scenario = await startScenario({ databaseUrl: t.database.url, redisUrl: t.redis.url, sink: { delayMs: 20 }, env: { SEND_CONCURRENCY: '2' } });
  const worker = await t.scenario.startWorker();
  await waitForSent(t.database.db, Math.ceil(RECIPIENTS / 10));
  return { db: t.database.db, redis: t.redis, scenario: t.scenario, worker };
}

const restoredPlan = (metrics: string) => Number(/^paperboy_job_schedulers_restored_total\{scheduler="plan"\} (\d+)/m.exec(metrics)?.[1] ?? 0);

describe('Redis loses its data mid-send', () => {
  it('FLUSHALL: the worker re-creates its schedulers and finishes the send', async () => {
    const { db, redis, scenario, worker } = await setUp();
    await redis.flushAll();
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    const r = await report('FLUSHALL', db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
    // The same process all along, and it said what happened.
    expect(worker.proc.exitCode).toBeNull();
    expect(worker.lines.some((l) => l.includes('job schedulers were missing from Redis'))).toBe(true);
    expect(restoredPlan(await scrape(worker.metricsPort))).toBeGreaterThanOrEqual(1);
  });

  it('restarted empty: the worker reconnects, re-creates its schedulers and finishes the send', async () => {
    const { db, redis, scenario, worker } = await setUp();
    await redis.restart({ keepData: false });
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    const r = await report('Redis restarted empty', db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
    expect(worker.proc.exitCode).toBeNull();
    expect(restoredPlan(await scrape(worker.metricsPort))).toBeGreaterThanOrEqual(1);
  });

  it('restarted from its append-only file: the send carries on where it was', async () => {
    const { db, redis, scenario, worker } = await setUp({ aof: true });
    await redis.restart({ keepData: true });
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    const r = await report('Redis restarted from AOF', db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
    expect(worker.proc.exitCode).toBeNull();
    // Nothing was lost, so nothing needed re-creating.
    expect(restoredPlan(await scrape(worker.metricsPort))).toBe(0);
  });
});
