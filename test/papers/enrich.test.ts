/**
 * Enrichment from each paper's own page (GET /api/papers/{id} and
 * /api/arxiv/{id}/repos) against the stand-in server and the real Postgres.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { papers } from '../../src/db/schema.ts';
import { enrichWindow } from '../../src/papers/enrich.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createHfClient } from '../../src/papers/sources/hf-client.ts';
import { startFakeHfApi, type FakeHfApi } from '../helpers/hf-server.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let api: FakeHfApi;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const NOW = new Date('2025-12-10T12:00:00Z');
const client = () => createHfClient({ baseUrl: api.url, retries: 1, backoffMs: 1, token: 'hf_enrichToken000000000000' });
const stored = async (id: string) => (await database.db.select().from(papers).where(eq(papers.id, id)))[0];

beforeAll(async () => {
  [api, database] = await Promise.all([startFakeHfApi(), createTestDatabase()]);
  await upsertPapers(database.db, [
    // In the window, no code link in the listing.
    makePaper({ id: '2512.10001', dailyAt: new Date('2025-12-10T08:00:00Z'), githubRepo: null }),
    // In the window; its page will fail.
    makePaper({ id: '2512.10002', dailyAt: new Date('2025-12-10T08:00:00Z'), githubRepo: 'https://github.com/keep/me', githubStars: 4 }),
    // Out of the window: never asked about.
    makePaper({ id: '2511.00001', dailyAt: new Date('2025-11-01T08:00:00Z') }),
  ]);
  api.setPaper('2512.10001', {
    id: '2512.10001',
    title: 'Paper 2512.10001',
    githubRepo: 'https://github.com/example/code',
    githubStars: 1234,
    projectPage: 'https://example.org/project',
    ai_summary: 'A one-line summary from the page.',
  });
  api.setRepos('2512.10001', { models: [{ id: 'a/m1' }, { id: 'a/m2' }, { id: 'a/m3' }], datasets: [{ id: 'a/d' }], spaces: [{ id: 'a/s1' }, { id: 'a/s2' }] });
  api.failNext('/api/papers/2512.10002', { status: 500 }, { status: 500 });
});
afterAll(async () => {
  await Promise.all([api.close(), database.drop()]);
});

describe('enrichWindow', () => {
  it("stores what the paper's page adds: code link and stars, project page, summary, linked repos", async () => {
    const counts = await enrichWindow(database.db, client(), { now: NOW, windowDays: 3 });
    expect(counts).toEqual({ enriched: 1, failed: 1, fresh: 0 });
    expect(await stored('2512.10001')).toMatchObject({
      githubRepo: 'https://github.com/example/code',
      githubStars: 1234,
      projectPage: 'https://example.org/project',
      aiSummary: 'A one-line summary from the page.',
      models: 3,
      datasets: 1,
      spaces: 2,
      enrichedAt: NOW,
    });
  });

  it('leaves a paper whose page failed as it was, to be tried again', async () => {
    expect(await stored('2512.10002')).toMatchObject({ githubRepo: 'https://github.com/keep/me', githubStars: 4, models: null, enrichedAt: null });
  });

  it('never asks about papers outside the window, and asks again at most daily', async () => {
    const before = api.requests.length;
    const later = new Date(NOW.getTime() + 3_600_000);
    // 2512.10002's page now answers (404: nothing more to say); 2512.10001 is fresh.
    expect(await enrichWindow(database.db, client(), { now: later, windowDays: 3 })).toEqual({ enriched: 1, failed: 0, fresh: 1 });
    const asked = api.requests.slice(before);
    expect(asked.sort()).toEqual(['/api/arxiv/2512.10002/repos', '/api/papers/2512.10002']);
    expect(api.requests.some((r) => r.includes('2511.00001'))).toBe(false);
    const nextDay = new Date(NOW.getTime() + 25 * 3_600_000);
    const again = api.requests.length;
    await enrichWindow(database.db, client(), { now: nextDay, windowDays: 3 });
    expect(api.requests.slice(again).filter((r) => r.includes('2512.10001'))).toHaveLength(2);
  });

  it('keeps enriched links when the next listing lacks them', async () => {
    await upsertPapers(database.db, [makePaper({ id: '2512.10001', dailyAt: new Date('2025-12-10T08:00:00Z'), githubRepo: null })]);
    expect(await stored('2512.10001')).toMatchObject({ githubRepo: 'https://github.com/example/code', githubStars: 1234 });
  });

  it('sends the token on the per-paper requests too', () => {
    const perPaper = api.recorded.filter((r) => r.url.startsWith('/api/papers/') || r.url.startsWith('/api/arxiv/'));
    expect(perPaper.length).toBeGreaterThan(0);
    for (const r of perPaper) expect(r.headers.authorization).toBe('Bearer hf_enrichToken000000000000');
  });
});
