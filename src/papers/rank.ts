/**
 * Trending score, Hacker-News style: votes decay with the hours since the paper
 * appeared on Daily Papers.
 *
 *   score = (upvotes + 1) / (age_hours + 2) ^ gravity
 *
 * The +1 lets a fresh paper with no votes rank above nothing; the +2 keeps a
 * paper minutes old from dividing by ~0. Gravity (TRENDING_GRAVITY, default 1.5)
 * sets how fast age wins over votes. Ties: more upvotes, then id, so the order
 * is the same on every run and every machine.
 *
 * The formula lives here twice on purpose, once for JavaScript and once as SQL
 * for queries that rank inside Postgres; a test holds the two equal.
 */
import { sql, type SQL } from 'drizzle-orm';
import { papers } from '../db/schema.ts';

const HOUR_MS = 3_600_000;

export function ageHours(dailyAt: Date, now: Date): number {
  return Math.max(0, (now.getTime() - dailyAt.getTime()) / HOUR_MS);
}

export function trendingScore(upvotes: number, dailyAt: Date, now: Date, gravity: number): number {
  return (upvotes + 1) / (ageHours(dailyAt, now) + 2) ** gravity;
}

export interface Rankable {
  id: string;
  upvotes: number;
  dailyAt: Date;
}

export function compareRanked(a: Rankable & { score: number }, b: Rankable & { score: number }): number {
  return b.score - a.score || b.upvotes - a.upvotes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function rankPapers<T extends Rankable>(items: readonly T[], now: Date, gravity: number): (T & { score: number })[] {
  return items
    .map((p) => ({ ...p, score: trendingScore(p.upvotes, p.dailyAt, now, gravity) }))
    .sort(compareRanked);
}

/** The same score as an SQL expression over the papers table. */
export function trendingScoreSql(now: Date, gravity: number): SQL<number> {
  const at = now.toISOString();
  return sql<number>`((${papers.upvotes} + 1)::float8 / power(greatest(extract(epoch from (${at}::timestamptz - ${papers.dailyAt})) / 3600.0, 0) + 2, ${gravity}::float8))`;
}

/** ORDER BY terms matching compareRanked. */
export function trendingOrderSql(now: Date, gravity: number): SQL[] {
  return [sql`${trendingScoreSql(now, gravity)} desc`, sql`${papers.upvotes} desc`, sql`${papers.id} asc`];
}
