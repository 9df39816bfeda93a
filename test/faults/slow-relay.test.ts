/**
 * A slow relay, and no failure at all: every batch takes longer than its
 * lease (0.5 s a message, one message at a time per batch, 40 per batch,
 * 10-second leases; SEND_CONCURRENCY=1 also makes each worker's SMTP pool
 * one connection, so a batch waits its turn too), while the planner ticks every 2 s looking for deliveries
 * stuck past their lease. Two workers share the queue. Without the lease
 * heartbeat the next tick resumes a batch still at work and a second runner
 * sends part of it again; with it, nobody gets two copies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.ts';
import { report, seed, startScenario, waitForSent, waitSettled, type Scenario } from './scenario.ts';
import { startOwnRedis, type OwnRedis } from '../helpers/own-servers.ts';

const N = Math.min(Number(process.env.FAULT_RECIPIENTS ?? 120), 1000);
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: OwnRedis;
let scenario: Scenario;

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), startOwnRedis()]);
  await seed(database.db, N);
  scenario = await startScenario({
    databaseUrl: database.url,
    redisUrl: redis.url,
    sink: { delayMs: 500 },
    env: { SEND_CONCURRENCY: '1', SEND_BATCH_SIZE: '40', SEND_LEASE_SECONDS: '10' },
  });
});
afterAll(async () => {
  await scenario?.close();
  await Promise.all([redis?.stop(), database?.drop()]);
});

describe('a relay slower than the lease', () => {
  it('renews leases while batches work: nobody gets two copies', async () => {
    await Promise.all([scenario.startWorker(), scenario.startWorker()]);
    await waitForSent(database.db, 1);
    const settled = await waitSettled(database.db, N);
    expect(settled).toEqual({ sent: N });
    const r = await report('slow relay', database.db, scenario.sinks, N);
    expect(r.lost).toEqual([]);
    expect(r.different).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.received).toBe(N);
  });
});
