/**
 * Ingestion from the Daily Papers API, end to end: a local HTTP server serves
 * the recorded responses in test/fixtures/hf/, the real Postgres stores them.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { papers, runs } from '../../src/db/schema.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { parsePolicyWindow } from '../../src/papers/sources/hf-client.ts';
import { HfApiError, hfDailySource, parseRateLimit, parseRetryAfter } from '../../src/papers/sources/hf-daily.ts';
import { startFakeHfApi, type FakeHfApi } from '../helpers/hf-server.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let api: FakeHfApi;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const source = () => hfDailySource({ baseUrl: api.url, retries: 3, backoffMs: 5, timeoutMs: 2000 });
const ingest = (days: string[]) => runIngest({ db: database.db, source: source(), days });

beforeAll(async () => {
  [api, database] = await Promise.all([startFakeHfApi(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([api.close(), database.drop()]);
});

describe('ingesting Daily Papers', () => {
  it('pages (the server caps pages at 50) until an empty page and stores every paper', async () => {
    const counts = await ingest(['2025-12-08']);
    expect(counts).toEqual({ fetched: 107, new: 107, updated: 0, unchanged: 0, skipped: 0 });
    expect(api.requests.filter((r) => r.includes('date=2025-12-08'))).toEqual([
      '/api/daily_papers?date=2025-12-08&limit=100&p=0',
      '/api/daily_papers?date=2025-12-08&limit=100&p=1',
      '/api/daily_papers?date=2025-12-08&limit=100&p=2',
      '/api/daily_papers?date=2025-12-08&limit=100&p=3',
    ]);
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(papers);
    expect(row?.n).toBe(107);
  });

  it('creates nothing new when the same day is ingested again', async () => {
    const before = await database.db.select({ id: papers.id, seen: papers.firstSeenAt }).from(papers);
    const counts = await ingest(['2025-12-08']);
    expect(counts).toEqual({ fetched: 107, new: 0, updated: 0, unchanged: 107, skipped: 0 });
    const after = await database.db.select({ id: papers.id, seen: papers.firstSeenAt }).from(papers);
    expect(after).toHaveLength(107);
    expect(new Map(after.map((r) => [r.id, r.seen.getTime()]))).toEqual(new Map(before.map((r) => [r.id, r.seen.getTime()])));
  });

  it('skips and counts a malformed entry, updates changed upvotes, keeps first_seen_at', async () => {
    const [firstSeen] = await database.db.select().from(papers).where(eq(papers.id, '2511.19373'));
    const counts = await ingest(['2025-12-09']);
    expect(counts).toEqual({ fetched: 12, new: 8, updated: 3, unchanged: 0, skipped: 1 });
    const [updated] = await database.db.select().from(papers).where(eq(papers.id, '2511.19373'));
    expect(firstSeen?.upvotes).toBe(11);
    expect(updated?.upvotes).toBe(23);
    expect(updated?.firstSeenAt.getTime()).toBe(firstSeen?.firstSeenAt.getTime());
    // Its first appearance on Daily Papers does not move either.
    expect(updated?.dailyDate).toBe('2025-12-08');
    const [total] = await database.db.select({ n: sql<number>`count(*)::int` }).from(papers);
    expect(total?.n).toBe(115);
  });

  it('falls back to the requested date when submittedOnDailyAt is absent', async () => {
    const raw = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile('test/fixtures/hf/2025-12-09.p0.json', 'utf8')),
    ) as { paper: { id: string } }[];
    const id = raw[2]!.paper.id;
    const [row] = await database.db.select().from(papers).where(eq(papers.id, id));
    expect(row?.dailyDate).toBe('2025-12-09');
    // Seen long after that day: its last moment stands in for the unknown hour.
    expect(row?.dailyAt.toISOString()).toBe('2025-12-09T23:59:59.999Z');
  });

  it('handles an empty day', async () => {
    expect(await ingest(['2025-12-10'])).toEqual({ fetched: 0, new: 0, updated: 0, unchanged: 0, skipped: 0 });
  });

  it('retries after a 429 with Retry-After, then succeeds', async () => {
    api.failNext('2025-12-10', { status: 429, headers: { 'retry-after': '0' } });
    const before = api.requests.length;
    await expect(ingest(['2025-12-10'])).resolves.toMatchObject({ fetched: 0 });
    expect(api.requests.length - before).toBe(2);
  });

  it('retries after a 500, then succeeds with exact counts', async () => {
    api.failNext('2025-12-09', { status: 500 }, { status: 503 });
    const before = api.requests.length;
    const counts = await ingest(['2025-12-09']);
    expect(counts).toEqual({ fetched: 12, new: 0, updated: 0, unchanged: 11, skipped: 1 });
    expect(api.requests.length - before).toBe(4); // two failures, the page, the empty page past the end
  });

  it('gives a clear error after the last retry and stores nothing from that day', async () => {
    api.failNext('2025-12-11', ...Array.from({ length: 4 }, () => ({ status: 502 })));
    await expect(ingest(['2025-12-11'])).rejects.toThrow(
      /daily_papers\?date=2025-12-11.* failed after 4 attempts: HTTP 502/,
    );
    const [total] = await database.db.select({ n: sql<number>`count(*)::int` }).from(papers);
    expect(total?.n).toBe(115);
  });

  it('does not retry a 404', async () => {
    api.failNext('2025-12-12', { status: 404 });
    const before = api.requests.length;
    await expect(ingest(['2025-12-12'])).rejects.toThrow(HfApiError);
    expect(api.requests.length - before).toBe(1);
  });

  it('retries a network error (nothing listening) and names it', async () => {
    const probe = await startFakeHfApi();
    await probe.close(); // its port is now free: connections are refused
    const dead = hfDailySource({ baseUrl: probe.url, retries: 1, backoffMs: 1 });
    await expect(dead.fetch('2025-12-08')).rejects.toThrow(/failed after 2 attempts: ECONNREFUSED/);
  });

  it('records each successful run, and no failed one', async () => {
    const rows = await database.db.select().from(runs).where(eq(runs.kind, 'ingest'));
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r.stats.fetched)).toEqual([107, 107, 12, 0, 0, 12]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('parseRateLimit and parsePolicyWindow', () => {
  it('read the IETF RateLimit fields the Hub sends', () => {
    expect(parseRateLimit('"api";r=0;t=55')).toBe(55_000);
    // Several quotas: the exhausted one says how long to wait.
    expect(parseRateLimit('"pages";r=40;t=200, "api";r=0;t=12')).toBe(12_000);
    expect(parseRateLimit('"api";r=3')).toBeNull();
    expect(parseRateLimit(null)).toBeNull();
    expect(parsePolicyWindow('"fixed window";"api";q=500;w=300')).toBe(300_000);
    expect(parsePolicyWindow('"api";q=500')).toBeNull();
  });
});
