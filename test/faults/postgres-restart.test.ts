/**
 * Postgres restarts mid-send (a fast shutdown drops every connection; two
 * seconds later it is back), on a cluster of our own. The worker process rides
 * it out — failed statements are retried by its jobs — and the send finishes:
 * nobody lost, nobody served twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { openScenarioDatabase, RECIPIENTS, report, seed, startScenario, waitForSent, waitSettled, type Scenario } from './scenario.ts';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../helpers/own-servers.ts';

let postgres: OwnPostgres;
let database: Database;
let redis: OwnRedis;
let scenario: Scenario;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  database = await openScenarioDatabase(postgres.url('postgres'));
  await seed(database.db);
  scenario = await startScenario({ databaseUrl: postgres.url('postgres'), redisUrl: redis.url, sink: { delayMs: 20 }, env: { SEND_CONCURRENCY: '2' } });
});
afterAll(async () => {
  await scenario?.close();
  await database?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

describe('Postgres restarted mid-send', () => {
  it('the worker carries on and everyone gets one digest', async () => {
    const worker = await scenario.startWorker();
    await waitForSent(database.db, Math.ceil(RECIPIENTS * 0.2));
    await postgres.restart({ downMs: 2000 });
    expect(await waitSettled(database.db)).toEqual({ sent: RECIPIENTS });
    expect(worker.proc.exitCode).toBeNull();
    const r = await report('Postgres restart', database.db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
  });
});
