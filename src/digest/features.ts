/**
 * What a paper offers to selection and ranking, worked out once per candidate
 * window per send run (features-window.ts) and shared by every subscriber of
 * the run: matching a subscriber's topics and keywords, the no-repeat ledger
 * and per-reader ordering (src/profile) are then lookups in memory, whatever
 * the number of distinct digests. Built by profile/features.ts's
 * paperFeatures, the one place that works them out.
 */
import type { Topic } from '../papers/topics.ts';

export interface PaperFeatures {
  /** arXiv id. */
  id: string;
  title: string;
  /** Title, ai_keywords and abstract, the text keyword phrases are matched in. */
  text: string;
  topics: readonly Topic[];
  /** Hugging Face's `ai_keywords`, as stored. */
  aiKeywords: readonly string[];
  /**
   * The title's and abstract's telling words, most frequent first (title words
   * count thrice; stopwords and words every abstract uses left out;
   * profile/features.ts termsOf): what a profile learns over, and what a
   * vote remembers of the paper.
   */
  terms: readonly string[];
  /** The organisation's name as shown (full name, else its Hugging Face slug); null when none. */
  organisation: string | null;
  authors: readonly string[];
  /** Trending score as of the window's moment (papers/rank.ts): today's order. */
  trending: number;
  upvotes: number;
  /**
   * Every word of `text` with its positions, exactly as Postgres's 'simple'
   * to_tsvector has them: keyword phrases are matched against these
   * (keyword-match.ts) with the same result as the SQL query.
   */
  lexemes: ReadonlyMap<string, readonly number[]>;
}
