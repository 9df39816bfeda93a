import type { PaperInput } from '../../src/papers/paper.ts';

/** A valid paper with overridable fields, for tests that need many. */
export function makePaper(over: Partial<PaperInput> & { id: string }): PaperInput {
  return {
    title: `Paper ${over.id}`,
    summary: `An abstract for ${over.id}. It has two sentences.`,
    aiSummary: null,
    aiKeywords: [],
    authors: ['Ada Lovelace', 'Alan Turing'],
    organizationName: null,
    organizationFullname: null,
    publishedAt: new Date('2025-12-05T00:00:00Z'),
    dailyAt: new Date('2025-12-08T00:00:00Z'),
    upvotes: 0,
    numComments: 0,
    githubRepo: null,
    githubStars: null,
    projectPage: null,
    thumbnail: null,
    ...over,
  };
}
