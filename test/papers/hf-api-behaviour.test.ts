/**
 * The Hub's behaviour a real day meets, against the local stand-in server:
 * 429s carrying only the IETF RateLimit header, pages capped below the limit
 * asked, a service repeating a page, HF_TOKEN on every request, withdrawn
 * papers, hidden authors, nameless organisations, a NUL byte, midnight dates,
 * and week/month backfills.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { eq, inArray, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { papers } from '../../src/db/schema.ts';
import { queryCandidates } from '../../src/digest/candidates.ts';
import { feedItems } from '../../src/digest/feeds.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { topPapers } from '../../src/papers/queries.ts';
import { createHfClient } from '../../src/papers/sources/hf-client.ts';
import { hfDailySource, type HfSourceOptions } from '../../src/papers/sources/hf-daily.ts';
import { startFakeHfApi, type FakeHfApi } from '../helpers/hf-server.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let api: FakeHfApi;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let lines: string[];
const log = () =>
  pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));

const TOKEN = 'hf_secretTokenValue1234567890';
const source = (over: Partial<HfSourceOptions> = {}) =>
  hfDailySource({ baseUrl: api.url, retries: 2, backoffMs: 5, timeoutMs: 2000, maxWaitMs: 5000, log: logger, ...over });
let logger: ReturnType<typeof log>;
const ingest = (days: string[], over: Partial<HfSourceOptions> = {}) =>
  runIngest({ db: database.db, source: source(over), days, log: logger });

// Entries shaped like the recorded ones, under fresh ids.
type RawEntry = { paper: Record<string, unknown> } & Record<string, unknown>;
const recorded = JSON.parse(readFileSync('test/fixtures/hf/2025-12-08.p0.json', 'utf8')) as RawEntry[];
const template = () => structuredClone(recorded[0]!);
function entry(id: string, over: Record<string, unknown> = {}, paperOver: Record<string, unknown> = {}) {
  const e = template();
  return { ...e, ...over, paper: { ...e.paper, id, title: `Paper ${id}`, ...paperOver } };
}

beforeAll(async () => {
  [api, database] = await Promise.all([startFakeHfApi(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([api.close(), database.drop()]);
});
beforeEach(() => {
  lines = [];
  logger = log();
  api.pageCap = 50;
  api.ignorePaging = false;
});

describe('rate limits', () => {
  it('waits out a 429 that carries only RateLimit t=, then goes on', async () => {
    api.failNext('2025-12-10', { status: 429, headers: { ratelimit: '"api";r=0;t=1', 'ratelimit-policy': '"fixed window";"api";q=500;w=300' } });
    await expect(ingest(['2025-12-10'])).resolves.toMatchObject({ fetched: 0 });
    const waits = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rate limited by Hugging Face; waiting');
    expect(waits.map((w) => w.waitSeconds)).toEqual([1]);
  });

  it('waits no longer than the policy window says', async () => {
    api.failNext('2025-12-10', { status: 429, headers: { ratelimit: '"api";r=0;t=7200', 'ratelimit-policy': '"fixed window";"api";q=500;w=1' } });
    await ingest(['2025-12-10']);
    const waits = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rate limited by Hugging Face; waiting');
    expect(waits.map((w) => w.waitSeconds)).toEqual([1]);
  });

  it('fails clearly, storing nothing, when the wait would pass HF_MAX_WAIT_SECONDS', async () => {
    api.setDay('2025-12-20', [entry('2512.20001')]);
    api.failNext('2025-12-20', { status: 429, headers: { ratelimit: '"api";r=0;t=120' } });
    await expect(ingest(['2025-12-20'], { maxWaitMs: 60_000 })).rejects.toThrow(/rate limited \(HTTP 429\).*HF_MAX_WAIT_SECONDS \(60 s/);
    expect(await database.db.select().from(papers).where(eq(papers.id, '2512.20001'))).toEqual([]);
  });

  it('counts one shared pause once when requests in flight are throttled together', async () => {
    const ids = ['2512.30001', '2512.30002', '2512.30003', '2512.30004'];
    for (const id of ids) {
      api.setPaper(id, { id, title: `Paper ${id}` });
      api.failNext(`/api/papers/${id}`, { status: 429, headers: { ratelimit: '"api";r=0;t=2' } });
    }
    // Four waits of 2 s summed (8 s) would pass a 5 s budget; the one shared pause
    // (2 s, plus however far apart the four answers came) does not.
    const client = createHfClient({ baseUrl: api.url, maxWaitMs: 5000, concurrency: 4, log: logger });
    const pages = await Promise.all(ids.map((id) => client.getJson(`/api/papers/${id}`)));
    expect(pages.map((p) => (p as { id: string }).id)).toEqual(ids);
  });

  it('honours Retry-After when RateLimit is absent', async () => {
    api.failNext('2025-12-10', { status: 429, headers: { 'retry-after': '1' } });
    await ingest(['2025-12-10']);
    const waits = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rate limited by Hugging Face; waiting');
    expect(waits.map((w) => w.waitSeconds)).toEqual([1]);
  });

  it('sends HF_TOKEN as a Bearer token on every request, and never logs it or puts it in an error', async () => {
    const from = api.recorded.length;
    api.failNext('2025-12-09', { status: 429, headers: { ratelimit: '"api";r=0;t=0' } }, { status: 500 });
    await ingest(['2025-12-08', '2025-12-09'], { token: TOKEN });
    api.failNext('2025-12-21', { status: 403 });
    await expect(ingest(['2025-12-21'], { token: TOKEN })).rejects.toThrow(/HTTP 403/);
    const seen = api.recorded.slice(from);
    expect(seen.length).toBeGreaterThan(6);
    for (const r of seen) expect(r.headers.authorization, r.url).toBe(`Bearer ${TOKEN}`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
    const client = createHfClient({ baseUrl: api.url, token: TOKEN });
    await client.getJson('/api/papers/2511.19373', undefined, { allowNotFound: true });
    expect(api.recorded.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('paging', () => {
  it('reads every page of a day the server caps at 10 entries a page', async () => {
    api.pageCap = 10;
    const before = api.requests.length;
    expect(await ingest(['2025-12-08'])).toMatchObject({ fetched: 107 });
    // 11 pages of entries, then the empty page past the end.
    expect(api.requests.slice(before)).toHaveLength(12);
    expect(api.requests.at(-1)).toBe('/api/daily_papers?date=2025-12-08&limit=100&p=11');
  });

  it('stops at a page that adds no new ids', async () => {
    api.ignorePaging = true;
    const before = api.requests.length;
    expect(await ingest(['2025-12-08'])).toMatchObject({ fetched: 50 });
    expect(api.requests.slice(before)).toHaveLength(2);
  });

  it('stops at the page cap and says so', async () => {
    api.pageCap = 10;
    expect(await ingest(['2025-12-08'], { maxPages: 3 })).toMatchObject({ fetched: 30 });
    expect(lines.some((l) => JSON.parse(l).msg.startsWith('stopped paging Daily Papers at the page cap'))).toBe(true);
  });

  it('backfills a week and a month with one listing each', async () => {
    const before = api.requests.length;
    expect(await ingest(['2025-W50'])).toMatchObject({ fetched: 119, skipped: 1 });
    // The month also holds 2025-12-20, listed by the HF_MAX_WAIT_SECONDS test above.
    expect(await ingest(['2025-12'])).toMatchObject({ fetched: 120, skipped: 1 });
    const asked = api.requests.slice(before);
    expect(asked.filter((r) => r.includes('week=2025-W50'))).toHaveLength(4);
    expect(asked.every((r) => r.includes('week=2025-W50') || r.includes('month=2025-12'))).toBe(true);
  });
});

describe('what the entries say', () => {
  const day = '2025-12-22';
  beforeAll(() => {
    api.setDay(day, [
      entry('2512.22001', {}, { withdrawnAt: '2025-12-22T08:00:00.000Z', upvotes: 500, submittedOnDailyAt: '2025-12-22T07:00:00.000Z' }),
      entry('2512.22002', {}, { authors: [{ name: 'Visible Author' }, { name: 'Hidden Author', hidden: true }], submittedOnDailyAt: '2025-12-22T07:00:00.000Z' }),
      entry('2512.22003', { organization: { fullname: 'No Name Lab' } }, { organization: { avatar: 'x.png' }, submittedOnDailyAt: '2025-12-22T07:00:00.000Z' }),
      ...Array.from({ length: 17 }, (_, i) => entry(`2512.221${String(i).padStart(2, '0')}`, {}, { submittedOnDailyAt: '2025-12-22T07:00:00.000Z' })),
      entry('2512.22999', {}, { summary: 'A NUL\u0000 in the abstract', submittedOnDailyAt: '2025-12-22T07:00:00.000Z' }),
    ]);
  });

  it('stores all but the NUL entry, which is skipped with its reason', async () => {
    expect(await ingest([day])).toEqual({ fetched: 21, new: 20, updated: 0, unchanged: 0, skipped: 1 });
    const skipped = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'skipped malformed paper entry');
    expect(skipped).toMatchObject([{ index: 20, reason: 'summary: contains a NUL character, which Postgres cannot store' }]);
  });

  it('keeps a paper whose organisation has no name, without the organisation, and logs the dropped part', async () => {
    const [row] = await database.db.select().from(papers).where(eq(papers.id, '2512.22003'));
    expect(row).toMatchObject({ organizationName: null, organizationFullname: null, title: 'Paper 2512.22003' });
    await ingest([day]);
    const dropped = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'dropped malformed optional field');
    expect(dropped.map((d) => [d.id, d.field])).toEqual([
      ['2512.22003', 'paper.organization'],
      ['2512.22003', 'organization'],
    ]);
  });

  it('never stores a hidden author', async () => {
    const [row] = await database.db.select().from(papers).where(eq(papers.id, '2512.22002'));
    expect(row?.authors).toEqual(['Visible Author']);
  });

  it('stores a withdrawn paper and never ranks, selects or lists it', async () => {
    const [row] = await database.db.select().from(papers).where(eq(papers.id, '2512.22001'));
    expect(row?.withdrawnAt).toEqual(new Date('2025-12-22T08:00:00.000Z'));
    const now = new Date('2025-12-22T20:00:00Z');
    const top = await topPapers(database.db, { now, gravity: 1.5, days: 3, limit: 100 });
    expect(top.length).toBeGreaterThan(10);
    expect(top.map((p) => p.id)).not.toContain('2512.22001');
    const candidates = await queryCandidates(database.db, { asOf: now, windowDays: 3, gravity: 1.5, topics: [], keywords: [] });
    expect(candidates.length).toBeGreaterThan(10);
    expect(candidates.map((p) => p.id)).not.toContain('2512.22001');
    const feed = await feedItems(database.db, { DIGEST_SIZE: 50 }, { now });
    expect(feed.length).toBeGreaterThan(10);
    expect(feed.map((f) => f.id)).not.toContain('2512.22001');
  });
});

describe('dates without a time', () => {
  it('rank by the first time paperboy saw each paper within its day', async () => {
    const day = '2025-12-23';
    const at = (iso: string) => () => new Date(iso);
    api.setDay(day, [entry('2512.23001', {}, { submittedOnDailyAt: `${day}T00:00:00.000Z`, upvotes: 3 })]);
    await ingest([day], { now: at(`${day}T08:15:00Z`) });
    api.setDay(day, [
      entry('2512.23001', {}, { submittedOnDailyAt: `${day}T00:00:00.000Z`, upvotes: 3 }),
      entry('2512.23002', {}, { submittedOnDailyAt: `${day}T00:00:00.000Z`, upvotes: 3 }),
    ]);
    await ingest([day], { now: at(`${day}T11:15:00Z`) });
    const rows = await database.db
      .select({ id: papers.id, dailyAt: papers.dailyAt, dailyDate: papers.dailyDate })
      .from(papers)
      .where(inArray(papers.id, ['2512.23001', '2512.23002']))
      .orderBy(papers.id);
    expect(rows).toEqual([
      { id: '2512.23001', dailyAt: new Date(`${day}T08:15:00Z`), dailyDate: day },
      { id: '2512.23002', dailyAt: new Date(`${day}T11:15:00Z`), dailyDate: day },
    ]);
    // The next day's hourly ingest still lists the day: the first-seen times stay.
    const next = await ingest([day], { now: at('2025-12-24T01:05:00Z') });
    expect(next).toMatchObject({ new: 0, updated: 0, unchanged: 2 });
    // Same votes: the paper out longer ranks lower, instead of the two tying.
    const top = await topPapers(database.db, { now: new Date(`${day}T12:00:00Z`), gravity: 1.5, days: 1, limit: 10 });
    expect(top.filter((p) => p.id.startsWith('2512.23')).map((p) => p.id)).toEqual(['2512.23002', '2512.23001']);
    const [n] = await database.db.select({ n: sql<number>`count(*)::int` }).from(papers).where(sql`${papers.id} LIKE '2512.23%'`);
    expect(n?.n).toBe(2);
  });
});
