/** Read-side queries over papers: the trending list and topic counts. */
import { and, count, getTableColumns, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { papers } from '../db/schema.ts';
import { topicSlugs, type Topic } from './topics.ts';
import { trendingOrderSql, trendingScoreSql } from './rank.ts';

export type PaperRow = typeof papers.$inferSelect;
export type RankedPaper = PaperRow & { score: number };

export interface TopPapersQuery {
  now: Date;
  gravity: number;
  /** Papers that appeared on Daily Papers within this many days before `now`. */
  days: number;
  limit: number;
  topics?: readonly Topic[];
}

export async function topPapers(db: Db, q: TopPapersQuery): Promise<RankedPaper[]> {
  const since = new Date(q.now.getTime() - q.days * 86_400_000);
  // Withdrawn papers are kept but never ranked or shown.
  const filters = [gt(papers.dailyAt, since), lte(papers.dailyAt, q.now), isNull(papers.withdrawnAt)];
  if (q.topics?.length) filters.push(sql`${papers.topics} && ${sql.param([...q.topics])}::text[]`);
  return db
    .select({ ...getTableColumns(papers), score: trendingScoreSql(q.now, q.gravity) })
    .from(papers)
    .where(and(...filters))
    .orderBy(...trendingOrderSql(q.now, q.gravity))
    .limit(q.limit);
}

export async function topicCounts(db: Db): Promise<Record<Topic, number>> {
  const rows = await queryRows<{ topic: string; n: number }>(
    db,
    sql`SELECT t AS topic, count(*)::int AS n FROM papers, unnest(topics) AS t GROUP BY t`,
  );
  const counts = Object.fromEntries(topicSlugs.map((t) => [t, 0])) as Record<Topic, number>;
  for (const r of rows) if (r.topic in counts) counts[r.topic as Topic] = Number(r.n);
  return counts;
}

export async function countPapers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(papers);
  return row?.n ?? 0;
}
