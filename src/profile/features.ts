/**
 * A paper's features, the things a reader's profile learns over: topics,
 * Hugging Face ai_keywords, title and abstract terms, organisation, authors.
 * Computed once per paper per candidate window of a send run
 * (digest/features-window.ts; the type is digest/features.ts's), so ranking a
 * reader is arithmetic over small arrays.
 *
 * Terms are lower-cased words of three or more letters minus English stopwords
 * (the `stopword` package's list) and words every abstract uses ("propose",
 * "results"): those would make every paper look like every other.
 */
import { eng } from 'stopword';
import type { PaperSnapshot } from '../db/schema.ts';
import type { PaperFeatures } from '../digest/features.ts';
import type { Topic } from '../papers/topics.ts';

/** The paper columns features are made from (a candidate row has them all). */
export interface PaperSource {
  id: string;
  title: string;
  summary: string;
  topics: readonly string[];
  aiKeywords?: readonly string[] | null;
  authors: readonly string[];
  organizationName?: string | null;
  organizationFullname?: string | null;
  upvotes: number;
  score: number;
  /**
   * The words of title, ai_keywords and abstract with their positions, as
   * Postgres's 'simple' to_tsvector has them (a candidate window reads them
   * with the paper). Without them no keyword phrase matches the paper: only
   * what does not match keywords (a voted paper's features, tests of the order) may
   * leave them out.
   */
  lexemes?: ReadonlyMap<string, readonly number[]>;
}

const ACADEMIC = [
  'paper', 'propose', 'proposed', 'proposes', 'approach', 'approaches', 'method', 'methods', 'result', 'results', 'show', 'shows',
  'demonstrate', 'demonstrates', 'based', 'using', 'used', 'use', 'new', 'novel', 'work', 'task', 'tasks', 'performance',
  'existing', 'via', 'also', 'can', 'however', 'while', 'across', 'achieve', 'achieves', 'significantly', 'code', 'available',
  'state', 'art', 'introduce', 'introduces', 'present', 'presents', 'well', 'large', 'first', 'such', 'through', 'without',
];
const STOP = new Set([...eng, ...ACADEMIC]);
/**
 * Enough terms to describe a paper; an abstract's long tail adds noise, not
 * signal. Twenty rather than forty: the ranking bench's shares stayed the
 * same (42.8 against 42.9 % on days 8–14) and a reader's learning, ranking
 * and why-line sums run over each paper's features, so halving the terms took
 * about 40 µs off every reader-tuned email (BENCHMARKS.md, tenth session).
 */
const MAX_TERMS = 20;

/** Whether a word counts as a term (a caller's word list may hold every word). */
export const isTerm = (w: string) => w.length >= 3 && /^[a-z]/.test(w) && !STOP.has(w);

export function termsOf(title: string, summary: string): string[] {
  const counts = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const w of text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []) {
      if (!STOP.has(w)) counts.set(w, (counts.get(w) ?? 0) + weight);
    }
  };
  add(title, 3);
  add(summary, 1);
  // Most frequent first, then alphabetical, so the cut is deterministic.
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_TERMS).map(([w]) => w);
}

const organisationOf = (p: Pick<PaperSource, 'organizationName' | 'organizationFullname'>) =>
  p.organizationFullname?.trim() || p.organizationName?.trim() || null;

export function paperFeatures(p: PaperSource): PaperFeatures {
  const aiKeywords = p.aiKeywords ?? [];
  return {
    id: p.id,
    title: p.title,
    text: `${p.title} ${aiKeywords.join(' ')} ${p.summary}`,
    topics: p.topics as readonly Topic[],
    aiKeywords,
    terms: termsOf(p.title, p.summary),
    organisation: organisationOf(p),
    authors: p.authors,
    trending: p.score,
    upvotes: p.upvotes,
    lexemes: p.lexemes ?? new Map(),
  };
}

/** The features a vote or click is learned over (profile.ts reads them from `papers` once per run). */
export function snapshotOf(f: Pick<PaperFeatures, 'title' | 'topics' | 'aiKeywords' | 'terms' | 'organisation' | 'authors'>): PaperSnapshot {
  return {
    title: f.title,
    topics: [...f.topics],
    aiKeywords: [...f.aiKeywords],
    terms: [...f.terms],
    organisation: f.organisation,
    authors: [...f.authors],
  };
}
