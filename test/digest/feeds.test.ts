/** The feeds' wording: counts read as English, and a zero count is left out rather than shown as "▲ 0". */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await upsertPapers(t.database.db, [
    makePaper({ id: '2512.20001', title: 'One of each', upvotes: 1, numComments: 1, dailyAt: new Date('2025-12-15T08:00:00Z') }),
    makePaper({ id: '2512.20002', title: 'Many of each', upvotes: 12, numComments: 3, dailyAt: new Date('2025-12-15T09:00:00Z') }),
    makePaper({ id: '2512.20003', title: 'Counts unknown', upvotes: 0, numComments: 0, dailyAt: new Date('2025-12-15T10:00:00Z') }),
  ]);
});
afterAll(() => t.close());

describe('feed wording', () => {
  it('says "1 comment", "12 upvotes", and nothing for zero', async () => {
    for (const url of ['/feed.xml', '/feed.json']) {
      const body = (await t.app.inject({ url })).body;
      expect(body, url).toContain('▲ 1 upvote · 1 comment · ');
      expect(body, url).toContain('▲ 12 upvotes · 3 comments · ');
      expect(body, url).not.toMatch(/\b1 comments|\b1 upvotes|▲ 0|\b0 comments/);
    }
  });
});
