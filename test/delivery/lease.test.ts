/**
 * The lease heartbeat (src/delivery/lease.ts) on the real Postgres: a batch
 * keeps its leases while it works, finds out when another runner claimed one
 * of its deliveries, and retries writing outcomes while its lease lasts.
 * (Whole sends under a slow relay: test/faults/slow-relay.test.ts.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { claimDeliveries } from '../../src/delivery/deliveries.repo.ts';
import { holdLeases } from '../../src/delivery/lease.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { silentLogger } from '../../src/log.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let day = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(subscribers).values(Array.from({ length: 3 }, (_, i) => ({ email: `lease${i}@example.org`, status: 'active' as const })));
});
afterAll(() => database.drop());

/** Three fresh deliveries (a new day each time), claimed at `at` with a 10-second lease. */
async function claimThree(at: Date) {
  const planned = await planDeliveries(database.db, { now: at, day: `2026-01-${String(++day).padStart(2, '0')}` });
  const claimed = await claimDeliveries(database.db, planned.map((p) => p.id), at, 10);
  expect(claimed).toHaveLength(3);
  return claimed.map((d) => d.id);
}

const leaseEnds = async (ids: string[]) =>
  (await database.db.select({ id: deliveries.id, until: deliveries.leaseUntil }).from(deliveries).where(inArray(deliveries.id, ids))).map((r) => r.until!.getTime());

describe('a batch lease', () => {
  it('is renewed while the batch works, so nobody else can claim it', async () => {
    const claimedAt = new Date();
    const ids = await claimThree(claimedAt);
    // A clock that runs 20 s ahead after the claim: without renewals the lease would have run out.
    let skew = 0;
    const now = () => new Date(Date.now() + skew);
    const lease = await holdLeases(database.db, ids, claimedAt, { leaseSeconds: 10, now, log: silentLogger, renewEveryMs: 50 });
    try {
      for (let i = 0; i < 4; i++) {
        skew += 5000;
        await sleep(150);
      }
      const ends = await leaseEnds(ids);
      for (const end of ends) expect(end).toBeGreaterThan(claimedAt.getTime() + 15_000);
      expect(ids.every((id) => lease.holds(id))).toBe(true);
      // Another runner at the same moment finds nothing to claim.
      expect(await claimDeliveries(database.db, ids, now(), 10)).toEqual([]);
    } finally {
      await lease.stop();
    }
  });

  it('is given up for a delivery another runner claimed once it ran out', async () => {
    const claimedAt = new Date();
    const [taken, kept, other] = await claimThree(claimedAt);
    const lease = await holdLeases(database.db, [taken!, kept!, other!], claimedAt, { leaseSeconds: 10, now: () => new Date(), log: silentLogger, renewEveryMs: 100 });
    try {
      // As if this batch had stalled past its lease: one delivery's lease ran out and a second runner claimed it.
      await database.db.execute(sql`UPDATE deliveries SET lease_until = now() - interval '1 second' WHERE id = ${taken!}`);
      expect(await claimDeliveries(database.db, [taken!], new Date(), 10)).toHaveLength(1);
      for (const until = Date.now() + 5000; lease.holds(taken!) && Date.now() < until; ) await sleep(20);
      expect(lease.holds(taken!)).toBe(false);
      expect(lease.lost).toBe(1);
      expect(lease.holds(kept!)).toBe(true);
    } finally {
      await lease.stop();
    }
  });

  it('stops allowing sends when it cannot be renewed, before it runs out', async () => {
    const claimedAt = new Date();
    const ids = await claimThree(claimedAt);
    let skew = 0;
    const lease = await holdLeases(database.db, ids, claimedAt, { leaseSeconds: 10, now: () => new Date(Date.now() + skew), log: silentLogger, renewEveryMs: 60_000 });
    try {
      expect(lease.holds(ids[0]!)).toBe(true);
      skew = 8000; // no renewal in 8 s of a 10-second lease: less than a quarter left
      expect(lease.holds(ids[0]!)).toBe(false);
    } finally {
      await lease.stop();
    }
  });

  it('retries writing outcomes while the lease lasts', async () => {
    const claimedAt = new Date();
    const ids = await claimThree(claimedAt);
    const lease = await holdLeases(database.db, ids, claimedAt, { leaseSeconds: 10, now: () => new Date(), log: silentLogger });
    let tries = 0;
    const written = await lease.settle(ids, async () => {
      if (++tries < 3) throw new Error('Connection terminated unexpectedly');
      return 'written';
    });
    await lease.stop();
    expect([written, tries]).toEqual(['written', 3]);
    // A lease that is over: the error comes back at once.
    const late = await holdLeases(database.db, ids, new Date(Date.now() - 10_000), { leaseSeconds: 10, now: () => new Date(), log: silentLogger });
    await expect(late.settle(ids, () => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
    await late.stop();
  });
});
