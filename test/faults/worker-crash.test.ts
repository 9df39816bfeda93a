/**
 * Workers die mid-send (SIGKILL: no chance to finish anything). Whatever was
 * claimed by a dead worker is resumed once its lease runs out; nobody is lost
 * and nobody gets two different digests. A message can arrive twice only
 * when a worker died between the relay's 250 and writing `sent` (at most the
 * messages in flight plus 20 accepted but unrecorded per batch in progress),
 * and then it is the same digest with the same Message-ID.
 */
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.ts';
import { faultResources, RECIPIENTS, report, seed, startScenario, waitForSent, waitSettled } from './scenario.ts';
import { startOwnRedis } from '../helpers/own-servers.ts';

// This test's database, Redis and scenario, closed after each test.
const t = faultResources();

// Per kill: 4 batches at once per worker, each with up to 20 unrecorded and SEND_CONCURRENCY (2) in flight.
const RESEND_BOUND_PER_KILL = 4 * (20 + 2);

async function setUp() {
  [t.database, t.redis] = await Promise.all([createTestDatabase(), startOwnRedis()]);
  await seed(t.database.db);
  t.scenario = await startScenario({ databaseUrl: t.database.url, redisUrl: t.redis.url, sink: { delayMs: 20 }, env: { SEND_CONCURRENCY: '2' } });
  return { db: t.database.db, scenario: t.scenario };
}

describe('a worker killed mid-send', () => {
  it('SIGKILL twice, restarted each time: everyone gets their one digest', async () => {
    const { db, scenario } = await setUp();
    let worker = await scenario.startWorker();
    for (const share of [0.2, 0.5]) {
      await waitForSent(db, Math.ceil(RECIPIENTS * share));
      await worker.kill('SIGKILL');
      worker = await scenario.startWorker();
    }
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    const r = await report('SIGKILL ×2', db, scenario.sinks);
    expect(r.lost).toEqual([]);
    expect(r.different).toEqual([]);
    console.log(`  (${r.duplicated.length} resent with the same Message-ID after a kill; bound ${2 * RESEND_BOUND_PER_KILL})`);
    expect(r.duplicated.length).toBeLessThanOrEqual(2 * RESEND_BOUND_PER_KILL);
  });

  it('two workers share the send; one is SIGKILLed for good and the other finishes', async () => {
    const { db, scenario } = await setUp();
    const [doomed, survivor] = await Promise.all([scenario.startWorker(), scenario.startWorker()]);
    await waitForSent(db, Math.ceil(RECIPIENTS * 0.3));
    await doomed.kill('SIGKILL');
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    expect(survivor.proc.exitCode).toBeNull();
    const r = await report('two workers, one SIGKILLed', db, scenario.sinks);
    expect(r.lost).toEqual([]);
    expect(r.different).toEqual([]);
    console.log(`  (${r.duplicated.length} resent with the same Message-ID after the kill; bound ${RESEND_BOUND_PER_KILL})`);
    expect(r.duplicated.length).toBeLessThanOrEqual(RESEND_BOUND_PER_KILL);
  });
});
