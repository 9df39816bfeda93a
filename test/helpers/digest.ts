import { clickUrl } from '../../src/profile/click.ts';
import { feedbackUrls } from '../../src/profile/links.ts';
import { whyLine } from '../../src/digest/cards.ts';
import type { DigestPaper } from '../../src/digest/select.ts';
import type { Recipient } from '../../src/digest/personalise.ts';
import type { DigestContent } from '../../src/digest/view.ts';
import { makePaper } from './papers.ts';

/** A chosen paper as selection returns it, without a database. */
export function makeDigestPaper(over: Partial<DigestPaper> & { id: string }): DigestPaper {
  const { publishedAt: _p, aiKeywords: _k, thumbnail: _t, ...p } = makePaper({ id: over.id });
  const why = over.why ?? { topics: ['llm'], keywords: [] };
  return { ...p, dailyDate: '2025-12-08', topics: ['llm'], score: 1, why, reason: whyLine(why), ...over };
}

export const LONG_ABSTRACT = Array.from(
  { length: 14 },
  (_, i) => `Sentence ${i + 1} of a deliberately long abstract describes multimodal reasoning, efficient inference and evaluation on many benchmarks in considerable detail.`,
).join(' ');

/** Ten papers with every optional field filled and long text: the heaviest realistic digest. */
export function heavyPapers(n = 10): DigestPaper[] {
  return Array.from({ length: n }, (_, i) =>
    makeDigestPaper({
      id: `2512.${String(i + 1).padStart(5, '0')}`,
      title: `A very long paper title number ${i + 1} about scaling vision-language-action models for long-horizon robotic manipulation`,
      summary: LONG_ABSTRACT,
      authors: Array.from({ length: 40 }, (_, k) => `Author Number${k} Lastname`),
      organizationName: 'bigorg',
      organizationFullname: 'A Big Research Organisation With A Long Name',
      upvotes: 1000 - i,
      numComments: 42,
      githubRepo: `https://github.com/example/project-${i}`,
      githubStars: 12_345,
      projectPage: `https://example.org/projects/${i}`,
      topics: ['llm', 'vision', 'multimodal', 'generative', 'reasoning', 'efficiency', 'robotics'],
      why: { topics: ['llm', 'vision', 'robotics'], keywords: ['vision-language-action', 'long horizon'] },
    }),
  );
}

export const dailyContent = (papers: DigestPaper[], localDate = '2025-12-08'): DigestContent => ({
  audience: 'email',
  frequency: 'daily',
  localDate,
  period: localDate,
  papers,
});

export const FEEDBACK_SECRETS = { current: 'f'.repeat(40) };
export const readerId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function recipient(n: number): Recipient {
  return {
    email: `reader${n}@example.org`,
    unsubscribeUrl: `https://papers.example.org/unsubscribe?token=unsub${n}.sig`,
    preferencesUrl: `https://papers.example.org/preferences?token=prefs${n}.sig`,
    webUrl: 'https://papers.example.org/digests/2025-12-08?topics=llm',
    feedback: (paper) => feedbackUrls({ publicUrl: 'https://papers.example.org', secrets: FEEDBACK_SECRETS, subscriberId: readerId(n), paper }),
    click: (paperId) => clickUrl({ config: { CLICK_TRACKING: 'on', publicUrl: 'https://papers.example.org' }, secrets: FEEDBACK_SECRETS, subscriberId: readerId(n), paperId }),
  };
}
