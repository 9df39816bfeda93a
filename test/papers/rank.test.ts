import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { papers } from '../../src/db/schema.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { topPapers } from '../../src/papers/queries.ts';
import { rankPapers, trendingScore } from '../../src/papers/rank.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { makePaper } from '../helpers/papers.ts';

const now = new Date('2025-12-08T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('trendingScore', () => {
  it('ranks more upvotes higher at equal age', () => {
    expect(trendingScore(50, hoursAgo(5), now, 1.5)).toBeGreaterThan(trendingScore(10, hoursAgo(5), now, 1.5));
  });

  it('ranks older lower at equal upvotes', () => {
    expect(trendingScore(20, hoursAgo(2), now, 1.5)).toBeGreaterThan(trendingScore(20, hoursAgo(30), now, 1.5));
  });

  it('matches the worked example in the README', () => {
    // 42 upvotes, 10 hours old, gravity 1.5: 43 / 12^1.5
    expect(trendingScore(42, hoursAgo(10), now, 1.5)).toBeCloseTo(1.0344, 4);
  });

  it('treats a paper from the future as brand new', () => {
    expect(trendingScore(0, hoursAgo(-5), now, 1.5)).toBeCloseTo(1 / 2 ** 1.5, 10);
  });
});

describe('rankPapers', () => {
  it('breaks ties by upvotes, then id, the same way every time', () => {
    const at = hoursAgo(3);
    const items = [
      { id: '2512.00003', upvotes: 7, dailyAt: at },
      { id: '2512.00001', upvotes: 7, dailyAt: at },
      { id: '2512.00002', upvotes: 7, dailyAt: at },
    ];
    expect(rankPapers(items, now, 1.5).map((p) => p.id)).toEqual(['2512.00001', '2512.00002', '2512.00003']);
    expect(rankPapers([...items].reverse(), now, 1.5).map((p) => p.id)).toEqual(['2512.00001', '2512.00002', '2512.00003']);
  });

  it('lets a fresh paper overtake an older, more upvoted one', () => {
    const ranked = rankPapers(
      [
        { id: 'old', upvotes: 100, dailyAt: hoursAgo(70) },
        { id: 'new', upvotes: 20, dailyAt: hoursAgo(1) },
      ],
      now,
      1.5,
    );
    expect(ranked[0]?.id).toBe('new');
  });
});

describe('topPapers in Postgres', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('orders exactly as rankPapers does, filters by topic and window', async () => {
    const input = Array.from({ length: 40 }, (_, i) =>
      makePaper({
        id: `2512.${String(i).padStart(5, '0')}`,
        upvotes: (i * 37) % 23,
        dailyAt: hoursAgo((i * 13) % 90),
        title: i % 3 === 0 ? `A vision transformer for image segmentation ${i}` : `Language model study ${i}`,
      }),
    );
    await upsertPapers(database.db, input);
    const fromDb = await topPapers(database.db, { now, gravity: 1.5, days: 3, limit: 100 });
    const inWindow = input.filter((p) => p.dailyAt.getTime() > now.getTime() - 3 * 86_400_000);
    const expected = rankPapers(inWindow, now, 1.5);
    expect(fromDb.map((p) => p.id)).toEqual(expected.map((p) => p.id));
    fromDb.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 9));

    const vision = await topPapers(database.db, { now, gravity: 1.5, days: 3, limit: 100, topics: ['vision'] });
    expect(vision.length).toBeGreaterThan(0);
    expect(vision.every((p) => p.topics.includes('vision'))).toBe(true);
    expect(vision.length).toBe(inWindow.filter((p) => p.title.includes('vision')).length);
    const rows = await database.db.select().from(papers);
    expect(rows).toHaveLength(40);
  });
});
