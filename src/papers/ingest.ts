/**
 * Upserts papers by arXiv id. Ingesting the same day twice creates nothing new;
 * changed counts (upvotes, comments, stars) and enriched fields are updated;
 * first_seen_at never moves and daily_at keeps the earliest appearance.
 *
 * One `INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT DO UPDATE` per
 * batch, tagging inline. Daily Papers publishes
 * about fifty papers a day and its whole history is about 60,000, so even a
 * full backfill is bound by the API's rate limit, not by this statement
 * (BENCHMARKS.md: 60,000 papers in a few seconds).
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { papers } from '../db/schema.ts';
import type { PaperInput } from './paper.ts';
import { tagTopics } from './topics.ts';

export const UPSERT_BATCH = 1000;

export interface UpsertCounts {
  new: number;
  updated: number;
  unchanged: number;
}

type PaperRow = typeof papers.$inferInsert;

/** A paper as one element of the batch's JSON, keyed by column name. */
const toRecord = (p: PaperInput) => ({
  id: p.id,
  title: p.title,
  summary: p.summary,
  ai_summary: p.aiSummary,
  ai_keywords: p.aiKeywords.filter((k) => k !== ''),
  authors: p.authors.filter((a) => a !== ''),
  organization_name: p.organizationName,
  organization_fullname: p.organizationFullname,
  published_at: p.publishedAt,
  daily_at: p.dailyAt,
  daily_date: p.dailyAt.toISOString().slice(0, 10),
  upvotes: p.upvotes,
  num_comments: p.numComments,
  github_repo: p.githubRepo,
  github_stars: p.githubStars,
  project_page: p.projectPage,
  thumbnail: p.thumbnail,
  withdrawn_at: p.withdrawnAt ?? null,
  topics: tagTopics(p),
});

// Columns an ingest overwrites; the Daily Papers date (daily_at, daily_date) only ever moves earlier.
const columns = getTableColumns(papers);
const compared = [
  'title', 'summary', 'aiSummary', 'aiKeywords', 'authors', 'organizationName', 'organizationFullname',
  'publishedAt', 'upvotes', 'numComments', 'githubRepo', 'githubStars', 'projectPage', 'thumbnail',
  'withdrawnAt', 'topics',
] as const satisfies readonly (keyof PaperRow)[];
// Links and summaries the listing often lacks come from the paper's own page
// (enrich.ts): a listing without them keeps what is stored. A withdrawal stays.
const kept = new Set<string>(['aiSummary', 'githubRepo', 'githubStars', 'projectPage', 'withdrawnAt']);
const incoming = (k: (typeof compared)[number]): SQL => {
  const name = sql.raw(`excluded.${columns[k].name}`);
  return kept.has(k) ? sql`coalesce(${name}, ${papers[k]})` : name;
};
const list = (parts: SQL[]) => sql.join(parts, sql`, `);

const set: Record<string, SQL> = {
  ...Object.fromEntries(compared.map((k) => [k, incoming(k)])),
  dailyAt: sql`least(${papers.dailyAt}, excluded.daily_at)`,
  dailyDate: sql`least(${papers.dailyDate}, excluded.daily_date)`,
  updatedAt: sql`now()`,
};
// Only rows whose content changed are touched (and returned), so the counts say what happened.
const setWhere = sql`(${list(compared.map((k) => sql`${papers[k]}`))}) IS DISTINCT FROM (${list(compared.map(incoming))})
  OR excluded.daily_at < ${papers.dailyAt}`;

const written = ['id', 'dailyAt', 'dailyDate', ...compared] as const;
const names = sql.raw(written.map((k) => columns[k].name).join(', '));
const recordType = sql.raw(written.map((k) => `${columns[k].name} ${columns[k].getSQLType()}`).join(', '));

async function upsertBatch(db: Db, batch: PaperInput[]): Promise<UpsertCounts> {
  // One JSON parameter per batch, unpacked by jsonb_to_recordset: a single
  // bound value instead of twenty per paper, which is what a VALUES list costs.
  const returned = await queryRows<{ inserted: boolean }>(db, sql`
    INSERT INTO ${papers} (${names})
    SELECT ${names} FROM jsonb_to_recordset(${JSON.stringify(batch.map(toRecord))}::jsonb) AS r(${recordType})
    ON CONFLICT (id) DO UPDATE SET ${sql.join(
      Object.entries(set).map(([k, v]) => sql`${sql.raw(columns[k as keyof typeof columns].name)} = ${v}`),
      sql`, `,
    )}
    WHERE ${setWhere}
    RETURNING (xmax = 0) AS inserted`);
  // xmax = 0 marks a freshly inserted row; rows the WHERE left alone are not returned.
  const inserted = returned.filter((r) => r.inserted).length;
  const updated = returned.length - inserted;
  return { new: inserted, updated, unchanged: batch.length - inserted - updated };
}

/**
 * Upserts in batches, one after another. Rows are deduplicated by id (the last
 * wins: ON CONFLICT cannot touch one row twice in a statement) and sorted, so
 * concurrent ingests lock rows in the same order and cannot deadlock.
 */
export async function upsertPapers(db: Db, input: PaperInput[], { batchSize = UPSERT_BATCH } = {}): Promise<UpsertCounts> {
  const unique = [...new Map(input.map((p) => [p.id, p])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const total: UpsertCounts = { new: 0, updated: 0, unchanged: input.length - unique.length };
  for (let i = 0; i < unique.length; i += batchSize) {
    const c = await upsertBatch(db, unique.slice(i, i + batchSize));
    total.new += c.new;
    total.updated += c.updated;
    total.unchanged += c.unchanged;
  }
  return total;
}
