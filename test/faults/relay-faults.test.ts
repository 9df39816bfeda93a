/**
 * The relay misbehaves mid-send: it goes away for a minute, or answers 421
 * (try later) and 550 (no such user) to some recipients. Nobody is lost or
 * served twice; a 421 is retried, a 550 fails that delivery alone (counted as
 * rejected, and the subscriber suppressed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.ts';
import { faultResources, emailOf, RECIPIENTS, report, seed, startScenario, waitForSent, waitSettled } from './scenario.ts';
import { startOwnRedis } from '../helpers/own-servers.ts';

// This test's database, Redis and scenario, closed after each test.
const t = faultResources();

async function setUp() {
  [t.database, t.redis] = await Promise.all([createTestDatabase(), startOwnRedis()]);
  await seed(t.database.db);
  t.scenario = await startScenario({ databaseUrl: t.database.url, redisUrl: t.redis.url, sink: { delayMs: 20 }, env: { SEND_CONCURRENCY: '2' } });
  return { db: t.database.db, scenario: t.scenario };
}

const DOWN_MS = Number(process.env.FAULT_RELAY_DOWN_MS ?? 60_000);

describe('the relay', () => {
  it(`down for ${DOWN_MS / 1000} s mid-send: everything goes out once it is back`, async () => {
    const { db, scenario } = await setUp();
    await scenario.startWorker();
    await waitForSent(db, Math.ceil(RECIPIENTS * 0.2));
    await scenario.stopRelay();
    await sleep(DOWN_MS);
    await scenario.restartRelay();
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS });
    const r = await report(`SMTP down ${DOWN_MS / 1000} s`, db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
    // Waiting for the relay used up nobody's tries.
    const { rows } = (await db.execute(sql`SELECT max(attempts)::int AS n FROM deliveries`)) as unknown as { rows: { n: number }[] };
    expect(rows[0]!.n).toBe(1);
  });

  it('421 and 550 bursts: the 421s are retried, the 550s fail alone', async () => {
    const { db, scenario } = await setUp();
    // Every 10th recipient gets one 421 after DATA; every 20th (offset) a 550 at RCPT TO, for good.
    const busy = Array.from({ length: RECIPIENTS }, (_, i) => i).filter((i) => i % 10 === 3);
    const gone = Array.from({ length: RECIPIENTS }, (_, i) => i).filter((i) => i % 20 === 7);
    for (const i of busy) await scenario.sink.reply(emailOf(i), 421, '4.3.2 try again later', { stage: 'data', times: 1 });
    for (const i of gone) await scenario.sink.reply(emailOf(i), 550, '5.1.1 no such user');
    await scenario.startWorker();
    expect(await waitSettled(db)).toEqual({ sent: RECIPIENTS - gone.length, failed: gone.length });
    const r = await report('421/550 bursts', db, scenario.sinks);
    expect([r.lost, r.duplicated, r.different]).toEqual([[], [], []]);
    expect(r.rejected).toBe(gone.length);
    const { rows } = (await db.execute(sql`SELECT count(*)::int AS n FROM subscribers WHERE status = 'bounced'`)) as unknown as { rows: { n: number }[] };
    expect(rows[0]!.n).toBe(gone.length);
  });
});
