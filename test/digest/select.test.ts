import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { finishDeliveries } from '../../src/delivery/deliveries.repo.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { selectDigest, selectDigests, type DigestRequest, type DigestSelection } from '../../src/digest/select.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { rankPapers } from '../../src/papers/rank.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { makePaper } from '../helpers/papers.ts';

const config = { TRENDING_GRAVITY: 1.5, DIGEST_SIZE: 10 };
const asOf = new Date('2025-12-16T07:00:00Z');
const hoursBefore = (h: number) => new Date(asOf.getTime() - h * 3_600_000);
const ids = (s: DigestSelection) => (s.kind === 'digest' ? s.papers.map((p) => p.id) : []);

const robot = (id: string, h: number, upvotes: number, extra = {}) =>
  makePaper({ id, title: `A humanoid robot learns grasping ${id}`, dailyAt: hoursBefore(h), upvotes, ...extra });

describe('digest selection', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let n = 0;
  const subscriber = async (topics: string[], keywords: string[] = [], frequency: 'daily' | 'weekly' = 'daily') => {
    const [row] = await database.db
      .insert(subscribers)
      .values({ email: `s${n++}@example.org`, status: 'active', topics, keywords, frequency, timezone: 'UTC', sendHour: 7 })
      .returning();
    return row!;
  };
  const request = (sub: { id: string; topics: string[]; keywords: string[]; frequency: 'daily' | 'weekly' }, date = '2025-12-16'): DigestRequest => ({
    subscriber: sub,
    period: periodOfDate({ frequency: sub.frequency, timezone: 'UTC', sendHour: 7 }, date),
  });
  // A sent delivery goes through the send path's own outcome write, which also fills the no-repeat ledger.
  const markSent = async (subscriberId: string, period: string, paperIds: string[], status: 'sent' | 'failed' | 'skipped' = 'sent') => {
    const scheduledFor = new Date(`${period}T07:00:00Z`);
    const [row] = await database.db.insert(deliveries).values({ subscriberId, period, status: status === 'sent' ? 'sending' : status, chosenPapers: paperIds.join(' '), scheduledFor }).returning();
    if (status === 'sent') await finishDeliveries(database.db, [{ id: row!.id, outcome: { status: 'sent', paperIds } }], scheduledFor);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await upsertPapers(database.db, [
      robot('2512.00001', 10, 40),
      robot('2512.00002', 20, 90),
      robot('2512.00003', 30, 5),
      makePaper({ id: '2512.00010', title: 'Sparse attention for long documents', summary: 'We study Speculative  Decoding at scale. It helps.', dailyAt: hoursBefore(5), upvotes: 12 }),
      makePaper({ id: '2512.00011', title: 'Decoding that is speculative', summary: 'The words appear, but not as a phrase. Really.', dailyAt: hoursBefore(5), upvotes: 60 }),
      makePaper({ id: '2512.00012', title: 'Keyword only in ai keywords', aiKeywords: ['speculative decoding'], dailyAt: hoursBefore(6), upvotes: 1 }),
      makePaper({ id: '2512.00013', title: 'Plural phrases', summary: 'Faster speculative decodings everywhere. Yes.', dailyAt: hoursBefore(6), upvotes: 1 }),
      makePaper({ id: '2512.00014', title: 'Prefix is not enough', summary: 'About speculative decoders only. Yes.', dailyAt: hoursBefore(6), upvotes: 1 }),
      // Window edges for a daily digest: (asOf - 3 days, asOf].
      robot('2512.00020', 72, 500), // exactly 3 days before: out
      robot('2512.00021', 72 - 1 / 3600, 1), // one second inside: in
      robot('2512.00022', 0, 1), // exactly at asOf: in
      robot('2512.00023', -1 / 3600, 999), // one second after: out
      robot('2512.00030', 200, 20), // a week ago: weekly only
    ]);
  });
  afterAll(() => database.drop());

  it('keeps papers of the subscriber topics, ranked by trending score, with why', async () => {
    const sub = await subscriber(['robotics']);
    const sel = await selectDigest(database.db, request(sub), config);
    expect(sel.kind).toBe('digest');
    const inWindow = [robot('2512.00001', 10, 40), robot('2512.00002', 20, 90), robot('2512.00003', 30, 5), robot('2512.00021', 72 - 1 / 3600, 1), robot('2512.00022', 0, 1)];
    expect(ids(sel)).toEqual(rankPapers(inWindow, asOf, 1.5).map((p) => p.id));
    if (sel.kind === 'digest') expect(sel.papers.every((p) => p.why.topics.includes('robotics') && p.why.keywords.length === 0)).toBe(true);
  });

  it('honours the window edges: (asOf − 3 days, asOf] daily, 10 days weekly', async () => {
    const daily = ids(await selectDigest(database.db, request(await subscriber(['robotics'])), config));
    expect(daily).toContain('2512.00021');
    expect(daily).toContain('2512.00022');
    expect(daily).not.toContain('2512.00020');
    expect(daily).not.toContain('2512.00023');
    expect(daily).not.toContain('2512.00030');
    // Weekly: as of Monday 2025-12-15 07:00, ten days back.
    const weekly = await subscriber(['robotics'], [], 'weekly');
    const sel = await selectDigest(database.db, { subscriber: weekly, period: { ...request(weekly).period, asOf } }, config);
    expect(ids(sel)).toContain('2512.00030');
    expect(ids(sel)).toContain('2512.00020');
  });

  it('adds keyword phrase matches, case-insensitive, in abstract or ai_keywords, but not scattered words', async () => {
    const sub = await subscriber(['robotics'], ['speculative decoding']);
    const sel = await selectDigest(database.db, request(sub), config);
    expect(ids(sel)).toContain('2512.00010');
    expect(ids(sel)).toContain('2512.00012');
    expect(ids(sel)).not.toContain('2512.00011');
    expect(ids(sel)).toContain('2512.00013');
    expect(ids(sel)).not.toContain('2512.00014');
    const hit = sel.kind === 'digest' ? sel.papers.find((p) => p.id === '2512.00010') : undefined;
    expect(hit?.why).toEqual({ topics: [], keywords: ['speculative decoding'] });
  });

  it('treats no topics as every topic, and caps at DIGEST_SIZE', async () => {
    const sub = await subscriber([]);
    const all = await selectDigest(database.db, request(sub), config);
    expect(ids(all)).toHaveLength(10);
    expect(ids(all)).toContain('2512.00011');
    expect(ids(await selectDigest(database.db, request(sub), { ...config, DIGEST_SIZE: 3 }))).toHaveLength(3);
  });

  it('never repeats a paper sent on an earlier day, but ignores failed deliveries and this period', async () => {
    const sub = await subscriber(['robotics']);
    await markSent(sub.id, '2025-12-15', ['2512.00001', '2512.00002']);
    await markSent(sub.id, '2025-12-14', ['2512.00003'], 'failed');
    // A row for this very period (a resend after a crash) must not hide its own papers.
    await markSent(sub.id, '2025-12-16', ['2512.00022']);
    const sel = await selectDigest(database.db, request(sub), config);
    expect(ids(sel).sort()).toEqual(['2512.00003', '2512.00021', '2512.00022']);
    // Next day: what was sent on the 16th is gone too.
    const next = await selectDigest(database.db, request(sub, '2025-12-17'), config);
    expect(ids(next)).not.toContain('2512.00022');
    expect(ids(next)).not.toContain('2512.00001');
  });

  it('skips with a reason when nothing matches or everything was sent', async () => {
    const none = await selectDigest(database.db, request(await subscriber(['medical'], ['quantum gravity'])), config);
    expect(none).toMatchObject({ kind: 'skip' });
    if (none.kind === 'skip') expect(none.reason).toMatch(/^no papers from the 3 days before 2025-12-16T07:00:00.000Z match topics medical or keywords "quantum gravity"$/);
    const sub = await subscriber(['robotics']);
    await markSent(sub.id, '2025-12-15', ['2512.00001', '2512.00002', '2512.00003', '2512.00021', '2512.00022']);
    const sent = await selectDigest(database.db, request(sub), config);
    expect(sent).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/^all 5 matching papers .* were already sent$/) });
  });

  it('bulk selection equals one-by-one selection, skips and reasons included', async () => {
    const mixes: [string[], string[]][] = [
      [['robotics'], []],
      [['robotics'], ['speculative decoding']],
      [[], []],
      [[], ['Speculative Decoding', 'speculative decoding ']],
      [['medical'], []],
      [['llm', 'robotics'], ['attention']],
    ];
    const requests: DigestRequest[] = [];
    for (let i = 0; i < 24; i++) {
      const [topics, keywords] = mixes[i % mixes.length]!;
      const sub = await subscriber(topics, keywords, i % 5 === 0 ? 'weekly' : 'daily');
      if (i % 3 === 0) await markSent(sub.id, '2025-12-15', ['2512.00001', '2512.00010']);
      if (i % 4 === 0) await markSent(sub.id, '2025-12-14', ['2512.00022', '2512.00003']);
      requests.push(request(sub, i % 2 ? '2025-12-16' : '2025-12-17'));
    }
    const bulk = await selectDigests(database.db, requests, config);
    const single = await Promise.all(requests.map((r) => selectDigest(database.db, r, config)));
    expect(bulk).toEqual(single);
    expect(bulk.some((s) => s.kind === 'skip')).toBe(true);
    expect(bulk.filter((s) => s.kind === 'digest').length).toBeGreaterThan(10);
  });
});
