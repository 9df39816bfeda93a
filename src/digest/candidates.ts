/**
 * The candidate query both selection paths share, so they cannot drift apart:
 * papers that appeared on Daily Papers in the window before the as-of moment,
 * matching a preference mix (topics OR keyword phrases), ranked by trending
 * score as of that moment, each with the topics and keywords it matched.
 *
 * Keywords are phrase matches in Postgres full-text search over title,
 * ai_keywords and abstract ('simple' config, so matching is case-insensitive
 * and words are not stemmed): "language model" matches "Language Model" but
 * not "model of language". Like the topic tagger, the last word may take a
 * plural s or es, so it matches "language models" too.
 *
 * The text is parsed here, at query time, and only for the papers inside the
 * window (a few hundred: the daily_at index finds them), once per paper. A
 * stored vector over every paper ever ingested made a backfill four times
 * slower and was never what found the rows: the window was.
 */
import { and, getTableColumns, gt, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Frequency } from '../db/schema.ts';
import { papers } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { notAlreadySent } from '../delivery/sent-ledger.ts';
import { trendingOrderSql, trendingScoreSql } from '../papers/rank.ts';
import type { Topic } from '../papers/topics.ts';

/** Days before the as-of moment a paper stays a candidate. */
export const WINDOW_DAYS: Record<Frequency, number> = { daily: 3, weekly: 10 };

export interface PreferenceMix {
  /** Empty: every topic. */
  topics: readonly Topic[];
  /** Normalised phrases (see normaliseKeywords). */
  keywords: readonly string[];
}

export interface CandidateQuery extends PreferenceMix {
  asOf: Date;
  windowDays: number;
  gravity: number;
  /** Leave out papers already sent to this subscriber in other periods. */
  excludeSentTo?: { subscriberId: string; period: string };
  limit?: number;
}

const {
  firstSeenAt: _firstSeenAt,
  updatedAt: _updatedAt,
  publishedAt: _publishedAt,
  aiKeywords: _aiKeywords,
  thumbnail: _thumbnail,
  withdrawnAt: _withdrawnAt,
  enrichedAt: _enrichedAt,
  models: _models,
  datasets: _datasets,
  spaces: _spaces,
  ...cardColumns
} = getTableColumns(papers);

type PaperRow = typeof papers.$inferSelect;
export type CandidateRow = Omit<
  PaperRow,
  'firstSeenAt' | 'updatedAt' | 'publishedAt' | 'aiKeywords' | 'thumbnail' | 'withdrawnAt' | 'enrichedAt' | 'models' | 'datasets' | 'spaces'
> &
  // What the paper's own page links to (papers/enrich.ts); absent where a card is built without the database.
  Partial<Pick<PaperRow, 'models' | 'datasets' | 'spaces'>> & { score: number; matchedTopics: Topic[]; matchedKeywords: string[] };

/** Trims, collapses spaces and drops case-insensitive duplicates, keeping the first spelling. */
export function normaliseKeywords(keywords: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of keywords) {
    const k = raw.trim().replace(/\s+/g, ' ');
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out;
}

export const windowStart = (asOf: Date, windowDays: number) => new Date(asOf.getTime() - windowDays * 86_400_000);

const textArray = (values: readonly string[]) => sql`${sql.param([...values])}::text[]`;

/** The tsquery for keyword column `k`: the phrase, or the phrase with a plural last word. */
const phrase = sql.raw(`(phraseto_tsquery('simple', k) || phraseto_tsquery('simple', k || 's') || phraseto_tsquery('simple', k || 'es'))`);

/**
 * The paper's words as a tsvector, in a lateral subquery so Postgres parses
 * each paper once however many keywords test it. OFFSET 0 keeps the planner
 * from inlining the subquery, which would repeat the parse per reference.
 */
const searchDoc = sql`(SELECT to_tsvector('simple'::regconfig,
  ${papers.title} || ' ' || array_to_string(${papers.aiKeywords}, ' ') || ' ' || ${papers.summary}) AS doc OFFSET 0) AS paper_text`;
const doc = sql.raw('paper_text.doc');

export async function queryCandidates(db: Db, q: CandidateQuery): Promise<CandidateRow[]> {
  const since = windowStart(q.asOf, q.windowDays);
  const topics = textArray(q.topics);
  const keywords = textArray(q.keywords);
  const keywordHit = sql`EXISTS (SELECT 1 FROM unnest(${keywords}) AS k WHERE ${doc} @@ ${phrase})`;
  // A withdrawn paper is never a candidate, so it is never chosen, shown, or sent (selection runs again at send time).
  const filters: SQL[] = [gt(papers.dailyAt, since), lte(papers.dailyAt, q.asOf), isNull(papers.withdrawnAt)];
  if (q.topics.length) {
    filters.push(q.keywords.length ? sql`(${papers.topics} && ${topics} OR ${keywordHit})` : sql`${papers.topics} && ${topics}`);
  }
  if (q.excludeSentTo) {
    // The no-repeat ledger (delivery/sent-ledger.ts), for this one subscriber.
    filters.push(notAlreadySent(sql`${papers.id}`, { ...q.excludeSentTo, since }));
  }
  const query = db
    .select({
      ...cardColumns,
      models: papers.models,
      datasets: papers.datasets,
      spaces: papers.spaces,
      score: trendingScoreSql(q.asOf, q.gravity),
      matchedTopics: sql<Topic[]>`ARRAY(SELECT t FROM unnest(${papers.topics}) AS t WHERE t = ANY(${topics}))`,
      matchedKeywords: q.keywords.length
        ? sql<string[]>`ARRAY(SELECT k FROM unnest(${keywords}) WITH ORDINALITY AS kw(k, n) WHERE ${doc} @@ ${phrase} ORDER BY n)`
        : sql<string[]>`'{}'::text[]`,
    })
    .from(papers)
    .$dynamic();
  // Mixes without keywords never parse a paper's text.
  if (q.keywords.length) query.crossJoinLateral(searchDoc);
  query.where(and(...filters)).orderBy(...trendingOrderSql(q.asOf, q.gravity));
  const rows = q.limit === undefined ? await query : await query.limit(q.limit);
  return rows as CandidateRow[];
}
