/**
 * What a paper offers to selection and ranking, worked out once per candidate
 * window per send run (features-window.ts) and shared by every subscriber of
 * the run: matching a subscriber's topics and keywords, the no-repeat ledger
 * and per-reader ordering are then lookups in memory, whatever the number of
 * distinct digests.
 */
import type { Topic } from '../papers/topics.ts';

export interface PaperFeatures {
  /** arXiv id. */
  id: string;
  topics: readonly Topic[];
  /** Hugging Face's `ai_keywords`, as stored. */
  aiKeywords: readonly string[];
  /**
   * Words of title, ai_keywords and abstract with their positions, as
   * Postgres's 'simple' text search parses them (lower-cased, unstemmed):
   * keyword phrases are matched against these (keyword-match.ts).
   */
  terms: ReadonlyMap<string, readonly number[]>;
  /** The title's words alone, parsed the same way. */
  titleTerms: ReadonlySet<string>;
  /** The Hugging Face organisation: its slug (stable) and the name shown. Null when none. */
  organisation: { id: string; label: string } | null;
  authors: readonly string[];
  /** Trending score as of the window's moment (papers/rank.ts). */
  score: number;
  upvotes: number;
  dailyAt: Date;
}
