/**
 * The planner and the delivery state machine against the real Postgres.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveries, sentPapers, subscribers } from '../../src/db/schema.ts';
import { claimDeliveries, finishDeliveries, readClaimable } from '../../src/delivery/deliveries.repo.ts';
import { findStalledDeliveries, planDeliveries, planDeliveryChunks } from '../../src/delivery/plan.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());
beforeEach(async () => {
  await database.db.execute(sql`TRUNCATE subscribers CASCADE`);
});

type NewSub = Partial<typeof subscribers.$inferInsert> & { email: string };
const addSubscribers = (rows: NewSub[]) =>
  database.db.insert(subscribers).values(rows.map((r) => ({ status: 'active' as const, ...r }))).returning();

describe('planDeliveries', () => {
  it('numbers each chunk\'s preference mixes, the same number for the same preferences and send time, so large mixes can be strided', async () => {
    const mixes = [
      { topics: ['llm'], keywords: [], sendHour: 7 },
      { topics: ['llm'], keywords: ['agents'], sendHour: 7 },
      { topics: ['llm'], keywords: [], sendHour: 6 },
    ];
    const subs = await addSubscribers(Array.from({ length: 9 }, (_, i) => ({ email: `m${i}@example.org`, timezone: 'UTC', ...mixes[i % 3]! })));
    const planned = [];
    for await (const chunk of planDeliveryChunks(database.db, { now: new Date('2025-12-08T12:30:00Z') })) planned.push(...chunk);
    const mixOf = new Map(planned.map((p) => [p.subscriberId, p.mix]));
    expect(mixOf.size).toBe(9);
    for (const [i, s] of subs.entries()) expect(mixOf.get(s.id)).toBe(mixOf.get(subs[i % 3]!.id));
    expect(new Set(mixOf.values()).size).toBe(3);
  });

  it('plans daily subscribers whose local send hour has passed, in their time zone', async () => {
    const [tokyo, ny, la, paused] = await addSubscribers([
      { email: 'tokyo@example.org', timezone: 'Asia/Tokyo', sendHour: 7 },
      { email: 'ny@example.org', timezone: 'America/New_York', sendHour: 7 },
      { email: 'la@example.org', timezone: 'America/Los_Angeles', sendHour: 7 },
      { email: 'paused@example.org', timezone: 'UTC', sendHour: 0, status: 'paused' },
    ]);
    // 12:30 UTC = 21:30 in Tokyo (Dec 8), 07:30 in New York, 04:30 in Los Angeles.
    const planned = await planDeliveries(database.db, { now: new Date('2025-12-08T12:30:00Z') });
    expect(planned.map((p) => p.subscriberId).sort()).toEqual([tokyo!.id, ny!.id].sort());
    const rows = await database.db.select().from(deliveries);
    const bySub = new Map(rows.map((r) => [r.subscriberId, r]));
    expect(bySub.get(tokyo!.id)?.period).toBe('2025-12-08');
    expect(bySub.get(tokyo!.id)?.scheduledFor.toISOString()).toBe('2025-12-07T22:00:00.000Z');
    expect(bySub.get(ny!.id)?.scheduledFor.toISOString()).toBe('2025-12-08T12:00:00.000Z');
    expect(bySub.has(la!.id)).toBe(false);
    expect(bySub.has(paused!.id)).toBe(false);
  });

  it('uses the local date across midnight and DST', async () => {
    const [auckland, ny] = await addSubscribers([
      { email: 'akl@example.org', timezone: 'Pacific/Auckland', sendHour: 6 },
      { email: 'ny2@example.org', timezone: 'America/New_York', sendHour: 7 },
    ]);
    // 2025-03-09 is the US spring-forward day: 07:00 EDT = 11:00 UTC.
    await planDeliveries(database.db, { now: new Date('2025-03-09T11:05:00Z') });
    const rows = await database.db.select().from(deliveries);
    const bySub = new Map(rows.map((r) => [r.subscriberId, r]));
    expect(bySub.get(ny!.id)?.scheduledFor.toISOString()).toBe('2025-03-09T11:00:00.000Z');
    // Auckland is already on 2025-03-10 (00:05 NZDT): not yet 06:00 there.
    expect(bySub.has(auckland!.id)).toBe(false);
  });

  it('plans weekly subscribers from Monday at their hour, period = ISO week', async () => {
    const [weekly] = await addSubscribers([{ email: 'w@example.org', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 8 }]);
    // Sunday 2025-12-07 20:00 Berlin: last week's period.
    await planDeliveries(database.db, { now: new Date('2025-12-07T19:00:00Z') });
    // Monday 2025-12-08 07:30 Berlin: not yet 08:00.
    await planDeliveries(database.db, { now: new Date('2025-12-08T06:30:00Z') });
    // Wednesday: due for this week (a planner that was down on Monday catches up).
    await planDeliveries(database.db, { now: new Date('2025-12-10T12:00:00Z') });
    const rows = await database.db.select().from(deliveries).where(eq(deliveries.subscriberId, weekly!.id));
    expect(rows.map((r) => r.period).sort()).toEqual(['2025-W49', '2025-W50']);
    const w50 = rows.find((r) => r.period === '2025-W50');
    expect(w50?.scheduledFor.toISOString()).toBe('2025-12-08T07:00:00.000Z');
  });

  it('plans a given day as if it were that day at the send hour', async () => {
    const [a, w] = await addSubscribers([
      { email: 'a@example.org', timezone: 'America/Los_Angeles', sendHour: 9 },
      { email: 'w2@example.org', timezone: 'UTC', sendHour: 7, frequency: 'weekly' },
    ]);
    const planned = await planDeliveries(database.db, { now: new Date('2020-01-01T00:00:00Z'), day: '2026-12-31' });
    expect(planned).toHaveLength(2);
    const rows = await database.db.select().from(deliveries);
    const bySub = new Map(rows.map((r) => [r.subscriberId, r]));
    expect(bySub.get(a!.id)).toMatchObject({ period: '2026-12-31' });
    expect(bySub.get(a!.id)?.scheduledFor.toISOString()).toBe('2026-12-31T17:00:00.000Z');
    expect(bySub.get(w!.id)?.period).toBe('2026-W53');
  });

  it('creates nothing twice, even when run concurrently', async () => {
    await addSubscribers(Array.from({ length: 300 }, (_, i) => ({ email: `c${i}@example.org`, sendHour: 0 })));
    const now = new Date('2025-12-08T12:00:00Z');
    const runs = await Promise.all([
      planDeliveries(database.db, { now }),
      planDeliveries(database.db, { now }),
      planDeliveries(database.db, { now }),
    ]);
    expect(runs.reduce((n, r) => n + r.length, 0)).toBe(300);
    expect(await planDeliveries(database.db, { now })).toEqual([]);
    const [count] = await database.db.select({ n: sql<number>`count(*)::int` }).from(deliveries);
    expect(count?.n).toBe(300);
  });
});

describe('planDeliveryChunks', () => {
  it('plans in chunks of at most the chunk size, keyset over subscribers, each due one exactly once', async () => {
    // Inactive and not-yet-due subscribers among them: a chunk can plan fewer than it scans, or none.
    const subs = await addSubscribers(
      Array.from({ length: 53 }, (_, i) => ({ email: `chunk${i}@example.org`, sendHour: i % 5 === 0 ? 23 : 0, status: i % 7 === 0 ? ('paused' as const) : ('active' as const) })),
    );
    const due = subs.filter((s) => s.sendHour === 0 && s.status === 'active').map((s) => s.id).sort();
    const now = new Date('2025-12-08T12:00:00Z');
    const chunks: string[][] = [];
    for await (const c of planDeliveryChunks(database.db, { now }, 7)) chunks.push(c.map((p) => p.subscriberId));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length > 0 && c.length <= 7)).toBe(true);
    expect(chunks.flat().sort()).toEqual(due);
    // Chunks follow the subscribers' ids: every id of a chunk is above every id of the one before.
    for (let i = 1; i < chunks.length; i++) expect([...chunks[i]!].sort()[0]! > [...chunks[i - 1]!].sort().at(-1)!).toBe(true);
    // A second pass over the same chunks creates nothing.
    const again: unknown[] = [];
    for await (const c of planDeliveryChunks(database.db, { now }, 7)) again.push(...c);
    expect(again).toEqual([]);
  });
});

describe('planner order', () => {
  it('returns deliveries grouped by preference mix, so batches share caches', async () => {
    const mixes = [['llm'], ['vision'], ['llm', 'rl']];
    await addSubscribers(Array.from({ length: 30 }, (_, i) => ({ email: `m${i}@example.org`, sendHour: 0, topics: mixes[i % 3]! })));
    const planned = await planDeliveries(database.db, { now: new Date('2025-12-08T12:00:00Z') });
    const subs = new Map((await database.db.select().from(subscribers)).map((s) => [s.id, s.topics.join(',')]));
    const sequence = planned.map((p) => subs.get(p.subscriberId));
    // Each mix forms one run: the mix changes exactly twice along the list.
    const changes = sequence.filter((m, i) => i > 0 && m !== sequence[i - 1]).length;
    expect(planned).toHaveLength(30);
    expect(changes).toBe(2);
  });
});

describe('delivery claims', () => {
  it('lets exactly one of two concurrent claimers hold a row', async () => {
    await addSubscribers(Array.from({ length: 50 }, (_, i) => ({ email: `k${i}@example.org`, sendHour: 0 })));
    const planned = await planDeliveries(database.db, { now: new Date('2025-12-08T12:00:00Z') });
    const ids = planned.map((p) => p.id);
    const now = new Date('2025-12-08T12:01:00Z');
    const read = await readClaimable(database.db, ids, now);
    expect(read.every((d) => d.subscriber.email.endsWith('@example.org'))).toBe(true);
    const claims = read.map((d) => ({ id: d.id, paperIds: ['2512.00001'] }));
    const [a, b] = await Promise.all([claimDeliveries(database.db, claims, now, 60), claimDeliveries(database.db, claims, now, 60)]);
    expect(a.length + b.length).toBe(50);
    expect(new Set([...a, ...b].map((d) => d.id)).size).toBe(50);
  });

  it('resumes a row whose lease expired, with the papers chosen before, and refuses a stale holder', async () => {
    const [s] = await addSubscribers([{ email: 'lease@example.org', sendHour: 0 }]);
    const [p] = await planDeliveries(database.db, { now: new Date('2025-12-08T12:00:00Z') });
    const t0 = new Date('2025-12-08T12:01:00Z');
    // The claim records the papers chosen for it.
    const [first] = await claimDeliveries(database.db, [{ id: p!.id, paperIds: ['2512.00001', '2512.00002'] }], t0, 30);
    expect(first).toMatchObject({ attempts: 1, status: 'sending', paperIds: ['2512.00001', '2512.00002'] });
    // Within the lease nobody else may claim it; the stalled finder ignores it.
    expect(await readClaimable(database.db, [p!.id], new Date(t0.getTime() + 10_000))).toEqual([]);
    expect(await claimDeliveries(database.db, [{ id: p!.id, paperIds: ['2512.00003'] }], new Date(t0.getTime() + 10_000), 30)).toEqual([]);
    expect(await findStalledDeliveries(database.db, new Date(t0.getTime() + 10_000), 600_000)).toEqual([]);
    // After it, the row is stalled and can be resumed — with the same papers.
    const later = new Date(t0.getTime() + 31_000);
    expect(await findStalledDeliveries(database.db, later, 600_000)).toEqual([p!.id]);
    const [resumable] = await readClaimable(database.db, [p!.id], later);
    expect(resumable).toMatchObject({ id: p!.id, attempts: 2, paperIds: ['2512.00001', '2512.00002'] });
    expect(resumable?.subscriber.id).toBe(s!.id);
    // A claim with other papers keeps the ones chosen first.
    const [second] = await claimDeliveries(database.db, [{ id: p!.id, paperIds: ['2512.00009'] }], later, 30);
    expect(second).toMatchObject({ id: p!.id, attempts: 2, paperIds: ['2512.00001', '2512.00002'] });
    expect(await finishDeliveries(database.db, [{ id: p!.id, outcome: { status: 'sent', paperIds: second!.paperIds } }], later)).toEqual([p!.id]);
    // The first holder waking up cannot change the outcome.
    expect(await finishDeliveries(database.db, [{ id: p!.id, outcome: { status: 'failed', reason: 'late' } }], later)).toEqual([]);
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.id, p!.id));
    // Sent: the row lets go of its papers, and the ledger has the ones it held.
    expect(row).toMatchObject({ status: 'sent', chosenPapers: null, leaseUntil: null });
    const ledger = await database.db.select().from(sentPapers).where(eq(sentPapers.subscriberId, s!.id));
    expect(ledger.map((l) => [l.period, l.paperIds])).toEqual([[row!.period, ['2512.00001', '2512.00002']]]);
  });

  it('finds queued rows whose job was lost', async () => {
    await addSubscribers([{ email: 'lost@example.org', sendHour: 0 }]);
    const planned = new Date('2025-12-08T12:00:00Z');
    const [p] = await planDeliveries(database.db, { now: planned });
    const at = (ms: number) => new Date(planned.getTime() + ms);
    expect(await findStalledDeliveries(database.db, at(3_600_000), 600_000)).toEqual([p!.id]);
    expect(await findStalledDeliveries(database.db, at(60_000), 600_000)).toEqual([]);
    // Past the horizon it is left alone (queued, for the operator to see or rerun), not sent days late.
    expect(await findStalledDeliveries(database.db, at(9 * 86_400_000), 600_000)).toEqual([]);
  });
});
