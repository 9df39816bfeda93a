/**
 * The public web edition: a day's digest for a topic mix, with no subscriber
 * behind it (no keywords, no ledger, no personal links). It is the daily
 * selection as of the end of that day in UTC, or as of now for today.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Topic } from '../papers/topics.ts';
import { queryCandidates, WINDOW_DAYS } from './candidates.ts';
import { whyLine } from './cards.ts';
import type { DigestPaper } from './select.ts';
import type { DigestContent } from './view.ts';

export interface WebDigestQuery {
  /** YYYY-MM-DD. */
  date: string;
  topics: readonly Topic[];
  now: Date;
}

/** null: the date is in the future or nothing appeared in its window. */
export async function webDigestContent(
  db: Db,
  config: Pick<Config, 'TRENDING_GRAVITY' | 'DIGEST_SIZE'>,
  q: WebDigestQuery,
): Promise<DigestContent | null> {
  const endOfDay = new Date(Date.parse(`${q.date}T00:00:00Z`) + 86_400_000);
  if (Date.parse(`${q.date}T00:00:00Z`) > q.now.getTime()) return null;
  const asOf = endOfDay < q.now ? endOfDay : q.now;
  const topics = [...new Set(q.topics)].sort();
  const rows = await queryCandidates(db, {
    topics,
    keywords: [],
    asOf,
    windowDays: WINDOW_DAYS.daily,
    gravity: config.TRENDING_GRAVITY,
    limit: config.DIGEST_SIZE,
  });
  if (!rows.length) return null;
  const papers: DigestPaper[] = rows.map(({ matchedTopics, matchedKeywords, ...r }) => {
    const why = { topics: matchedTopics, keywords: matchedKeywords };
    return { ...r, why, reason: whyLine(why) };
  });
  return { audience: 'web', frequency: 'daily', localDate: q.date, period: q.date, papers, topics };
}
