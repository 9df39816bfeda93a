/**
 * A send run matches keywords in memory (select.ts keywordMask, over the
 * window's words and pairs of adjacent words); the single-subscriber query
 * matches them in Postgres. Held equal here on the real seed papers, for
 * phrases cut from their own titles and abstracts (hyphenated words, digits,
 * a word twice) and a few that match nothing.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { loadWindow } from '../../src/digest/features-window.ts';
import { KeywordParser } from '../../src/digest/keyword-match.ts';
import { windowMatch } from '../../src/digest/select.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries } from '../../src/papers/paper.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

const asOf = new Date('2025-12-16T07:00:00Z');

describe('keyword matching over a window', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers.slice(0, 60);

  beforeAll(async () => {
    database = await createTestDatabase();
    await upsertPapers(database.db, seeds.map((p, i) => ({ ...p, dailyAt: new Date(asOf.getTime() - (i + 1) * 60_000) })));
  });
  afterAll(() => database.drop());

  it('matches every phrase exactly where Postgres does', async () => {
    const phrases = new Set<string>(['nothing matches this phrase', 'the the', 'model model', 'state-of-the-art', 'gpt-4 level', 'large language model', 'language models']);
    seeds.forEach((p, i) => {
      const words = `${p.title} ${p.summary}`.split(/\s+/);
      // Two to five words from a few places in each paper, punctuation and all.
      for (const len of [2, 3, 5]) for (const at of [0, 7 + i, 31 + 2 * i]) if (at + len <= words.length) phrases.add(words.slice(at, at + len).join(' '));
    });
    const keywords = [...phrases];
    const window = await loadWindow(database.db, { asOf, windowDays: 1, gravity: 1.5 });
    expect(window.papers.length).toBe(seeds.length);
    const parser = new KeywordParser();
    await parser.load(database.db, keywords);

    // Postgres's answer: which of the window's papers each keyword's tsquery (the phrase or its plural) matches.
    const rows = await queryRows<{ k: string; ids: string[] | null }>(
      database.db,
      sql`SELECT k, (SELECT array_agg(p.id ORDER BY p.id) FROM papers p
                     WHERE to_tsvector('simple'::regconfig, p.title || ' ' || array_to_string(p.ai_keywords, ' ') || ' ' || p.summary)
                           @@ (phraseto_tsquery('simple', k) || phraseto_tsquery('simple', k || 's') || phraseto_tsquery('simple', k || 'es'))) AS ids
          FROM unnest(${sql.param(keywords)}::text[]) AS k`,
    );
    let matched = 0;
    for (const { k, ids } of rows) {
      const { mask } = windowMatch(window, { topics: ['robotics'], keywords: [k] }, parser);
      const topicOnly = windowMatch(window, { topics: ['robotics'], keywords: [] }, parser).mask;
      const inMemory = window.papers.filter((p, i) => mask[i] && !topicOnly[i]).map((p) => p.id).sort();
      const inPostgres = (ids ?? []).filter((id) => !topicOnly[window.papers.findIndex((p) => p.id === id)]);
      expect(inMemory, k).toEqual(inPostgres);
      if (inPostgres.length) matched++;
    }
    // The comparison means something: most phrases match a paper, some match none.
    expect(matched).toBeGreaterThan(keywords.length / 2);
    expect(matched).toBeLessThan(keywords.length);
  });
});
