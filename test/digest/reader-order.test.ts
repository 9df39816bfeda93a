/**
 * The short cuts a send run takes for every reader, held to the general
 * path: today's order for a reader with no profile is orderForReader's answer
 * for an empty profile, and a window's match mask and reasons are
 * matcherFor's answers paper by paper.
 */
import { describe, expect, it } from 'vitest';
import { whyLine } from '../../src/digest/cards.ts';
import type { PaperFeatures } from '../../src/digest/features.ts';
import type { CandidateWindow } from '../../src/digest/features-window.ts';
import { KeywordParser, parsePhrase } from '../../src/digest/keyword-match.ts';
import { todaysOrder } from '../../src/digest/reader-order.ts';
import { matcherFor, windowMatch } from '../../src/digest/select.ts';
import { paperFeatures } from '../../src/profile/features.ts';
import { orderForReader } from '../../src/profile/order.ts';
import { emptyProfile } from '../../src/profile/profile.ts';

const now = new Date('2025-12-16T09:00:00Z');
const topics = ['llm', 'vision', 'robotics', 'audio'];
const words = ['diffusion', 'models', 'vision', 'language', 'action', 'robot', 'speech', 'reasoning', 'agents', 'scaling'];
const window: PaperFeatures[] = Array.from({ length: 60 }, (_, i) =>
  paperFeatures({
    id: `2512.${String(i + 1).padStart(5, '0')}`,
    title: `${words[i % 10]} ${words[(i * 3) % 10]} ${words[(i * 7) % 10]} study ${i}`,
    summary: `We study ${words[(i * 5) % 10]} ${words[(i + 1) % 10]} at scale.`,
    topics: [topics[i % 4]!, ...(i % 5 ? [] : [topics[(i + 1) % 4]!])],
    aiKeywords: [],
    authors: [`Author ${i}`],
    organizationName: i % 3 ? null : 'NVIDIA',
    upvotes: 200 - i,
    score: (200 - i) / 100,
  }),
);

/** Keywords parsed as Postgres would (phraseto_tsquery('simple', …)), without a database. */
function parser(keywords: string[]): KeywordParser {
  const p = new KeywordParser();
  const tsq = (k: string) => k.toLowerCase().split(/\s+/).map((w) => `'${w}'`).join(' <-> ');
  (p as unknown as { parsed: Map<string, unknown> }).parsed = new Map(keywords.map((k) => [k, [parsePhrase(tsq(k)), parsePhrase(tsq(`${k}s`)), parsePhrase(tsq(`${k}es`))]]));
  return p;
}

describe('a send run\'s short cuts', () => {
  it('orders a reader with no profile as orderForReader orders an empty one', () => {
    const keywords = parser(['vision language']);
    const mix = { topics: ['robotics' as const], keywords: ['vision language'] };
    const { matches, reason } = matcherFor(mix, keywords);
    const matching = window.filter(matches);
    for (const [size, sent] of [[10, new Set<string>()], [30, new Set([matching[0]!.id, matching[3]!.id])], [3, new Set(matching.map((p) => p.id))]] as const) {
      const general = orderForReader(emptyProfile(), { matching, window, sent, size, now, todayWhy: (p) => whyLine(reason(p)) });
      expect(todaysOrder({ matching, window, sent, size, now, reason, subscriberId: '00000000-0000-4000-8000-000000000001' })).toEqual(general);
    }
  });

  it('masks a window and says why as matcherFor does', () => {
    const keywords = parser(['vision language', 'robot', 'speech reasoning', 'nothing here', 'model', 'we study robot', 'at scale', 'study 7']);
    const w = { papers: window } as unknown as CandidateWindow;
    for (const mix of [
      { topics: [], keywords: ['robot'] },
      { topics: ['llm'], keywords: [] },
      { topics: ['audio', 'vision'], keywords: ['vision language', 'nothing here'] },
      { topics: ['llm'], keywords: ['speech reasoning', 'model', 'robot'] },
      { topics: ['vision'], keywords: ['we study robot', 'at scale', 'study 7'] },
    ] as const) {
      const m = { topics: [...mix.topics], keywords: [...mix.keywords] } as Parameters<typeof matcherFor>[0];
      const { matches, reason } = matcherFor(m, keywords);
      // Twice: the second answer comes from the window's caches.
      for (let i = 0; i < 2; i++) {
        const match = windowMatch(w, m, keywords);
        expect([...match.mask]).toEqual(window.map((p) => (matches(p) ? 1 : 0)));
        expect(window.map((p) => match.reason(p))).toEqual(window.map((p) => reason(p)));
      }
    }
    // The window's papers are its own objects: a copy of one is not in it.
    const copy = { ...window[0]! };
    expect(() => windowMatch(w, { topics: ['llm'], keywords: ['robot'] }, keywords).reason(copy)).toThrow(`paper ${copy.id} is not one of this window's papers`);
  });
});
