/**
 * upsertPapers against the real Postgres: every value survives the trip
 * exactly, including text that looks like SQL, array or control syntax.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { papers } from '../../src/db/schema.ts';
import { readFileSync } from 'node:fs';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries } from '../../src/papers/paper.ts';
import { tagTopics } from '../../src/papers/topics.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { makePaper } from '../helpers/papers.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const stored = async (id: string) => (await database.db.select().from(papers).where(eq(papers.id, id)))[0];

describe('upsertPapers', () => {
  it('stores a lone paper whose arrays are empty and optional fields null', async () => {
    const p = makePaper({
      id: '2601.00001',
      aiKeywords: [],
      authors: [],
      aiSummary: null,
      organizationName: null,
      organizationFullname: null,
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      thumbnail: null,
    });
    expect(await upsertPapers(database.db, [p])).toEqual({ new: 1, updated: 0, unchanged: 0 });
    expect(await stored(p.id)).toMatchObject({
      aiKeywords: [],
      authors: [],
      aiSummary: null,
      organizationName: null,
      githubStars: null,
      thumbnail: null,
    });
  });

  it('keeps text exactly, control characters and all', async () => {
    const title = 'Commas, "quotes", back\\slashes, {braces}, NULL, émigré 日本語 and 🙂';
    const p = makePaper({
      id: '2601.00002',
      title,
      summary: 'One\x1ftwo\x1ethree\x1dfour, and an empty string next: ',
      aiKeywords: ['speculative decoding', '', 'a,b', 'NULL'],
      authors: ['Ada "The Countess" Lovelace', 'Grace\x1fHopper'],
      aiSummary: '',
      organizationName: 'org\\name',
      githubStars: 0,
      upvotes: 2_000_000_000,
      publishedAt: new Date('1999-12-31T23:59:59.999Z'),
      dailyAt: new Date('2025-12-08T10:11:12.345Z'),
    });
    await upsertPapers(database.db, [p]);
    expect(await stored(p.id)).toMatchObject({
      title,
      summary: 'One\x1ftwo\x1ethree\x1dfour, and an empty string next: ',
      aiKeywords: ['speculative decoding', 'a,b', 'NULL'],
      authors: ['Ada "The Countess" Lovelace', 'Grace\x1fHopper'],
      aiSummary: '',
      organizationName: 'org\\name',
      githubStars: 0,
      upvotes: 2_000_000_000,
      topics: ['llm', 'efficiency'],
      publishedAt: new Date('1999-12-31T23:59:59.999Z'),
      dailyAt: new Date('2025-12-08T10:11:12.345Z'),
      dailyDate: '2025-12-08',
    });
  });

  it('puts every paper of a large batch in its own row, in order', async () => {
    const batch = Array.from({ length: 2500 }, (_, i) =>
      makePaper({ id: `2602.${String(i).padStart(5, '0')}`, upvotes: i, aiKeywords: i % 2 ? [] : [`k${i}`], githubStars: i % 3 ? null : i }),
    );
    expect(await upsertPapers(database.db, batch, { batchSize: 1000 })).toEqual({ new: 2500, updated: 0, unchanged: 0 });
    const rows = await database.db.select({ id: papers.id, upvotes: papers.upvotes, kw: papers.aiKeywords, stars: papers.githubStars }).from(papers);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [i, p] of batch.entries()) {
      expect(byId.get(p.id)).toEqual({ id: p.id, upvotes: i, kw: i % 2 ? [] : [`k${i}`], stars: i % 3 ? null : i });
    }
  });

  it('changes nothing when the same papers come again, and updates what changed', async () => {
    const p = makePaper({ id: '2601.00003', upvotes: 5 });
    await upsertPapers(database.db, [p]);
    const first = await stored(p.id);
    expect(await upsertPapers(database.db, [p])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    expect(await upsertPapers(database.db, [{ ...p, upvotes: 6 }])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    const second = await stored(p.id);
    expect(second?.upvotes).toBe(6);
    expect(second?.firstSeenAt).toEqual(first?.firstSeenAt);
  });

  it('tags every paper as the tagger does', async () => {
    const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;
    const batch = seeds.map((p) => ({ ...p, id: `w.${p.id}` }));
    expect(await upsertPapers(database.db, batch, { batchSize: 50 })).toMatchObject({ new: batch.length });
    const rows = await database.db.select({ id: papers.id, topics: papers.topics }).from(papers);
    const stored = new Map(rows.map((r) => [r.id, r.topics]));
    for (const p of batch) expect(stored.get(p.id), p.id).toEqual(tagTopics(p));
  });

  it('keeps the earliest Daily Papers date and the first-seen time', async () => {
    const p = makePaper({ id: '2601.00004', dailyAt: new Date('2025-12-09T10:00:00Z') });
    await upsertPapers(database.db, [p]);
    const first = await stored(p.id);
    expect(await upsertPapers(database.db, [{ ...p, dailyAt: new Date('2025-12-10T09:00:00Z') }])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    expect(await upsertPapers(database.db, [{ ...p, dailyAt: new Date('2025-12-08T23:00:00Z') }])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    const row = await stored(p.id);
    expect(row).toMatchObject({ dailyAt: new Date('2025-12-08T23:00:00Z'), dailyDate: '2025-12-08' });
    expect(row?.firstSeenAt).toEqual(first?.firstSeenAt);
  });

  it('keeps links, summaries and a withdrawal a later listing lacks', async () => {
    const p = makePaper({ id: '2601.00005', githubRepo: 'https://github.com/a/b', githubStars: 7, aiSummary: 'Short.', withdrawnAt: new Date('2025-12-09T00:00:00Z') });
    await upsertPapers(database.db, [p]);
    const bare = { ...p, githubRepo: null, githubStars: null, aiSummary: null, withdrawnAt: null };
    expect(await upsertPapers(database.db, [bare])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    expect(await stored(p.id)).toMatchObject({ githubRepo: 'https://github.com/a/b', githubStars: 7, aiSummary: 'Short.', withdrawnAt: new Date('2025-12-09T00:00:00Z') });
    expect(await upsertPapers(database.db, [{ ...bare, githubStars: 9 }])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    expect((await stored(p.id))?.githubStars).toBe(9);
  });
});
