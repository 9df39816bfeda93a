/**
 * Upserts papers by arXiv id. Ingesting the same day twice creates nothing new;
 * changed counts (upvotes, comments, stars) and enriched fields are updated;
 * first_seen_at never moves and daily_at keeps the earliest appearance.
 *
 * Rows travel as one JSON parameter per batch and are unpacked in SQL by
 * jsonb_to_recordset: one round trip and one parse per batch instead of
 * twenty bind parameters per row. The search vector is Postgres' own
 * to_tsvector, so subscriber keywords are matched with phraseto_tsquery by the
 * same parser; it is also the largest cost of an insert (see BENCHMARKS.md).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { PaperInput } from './paper.ts';
import { tagTopics } from './topics.ts';

export const UPSERT_BATCH = 2000;

export interface UpsertCounts {
  new: number;
  updated: number;
  unchanged: number;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

function toRow(p: PaperInput) {
  return {
    id: p.id,
    title: p.title,
    summary: p.summary,
    ai_summary: p.aiSummary,
    ai_keywords: p.aiKeywords,
    authors: p.authors,
    organization_name: p.organizationName,
    organization_fullname: p.organizationFullname,
    published_at: p.publishedAt.toISOString(),
    daily_at: p.dailyAt.toISOString(),
    daily_date: dayOf(p.dailyAt),
    upvotes: p.upvotes,
    num_comments: p.numComments,
    github_repo: p.githubRepo,
    github_stars: p.githubStars,
    project_page: p.projectPage,
    thumbnail: p.thumbnail,
    topics: tagTopics(p),
  };
}

async function upsertBatch(db: Db, batch: PaperInput[]): Promise<UpsertCounts> {
  const rows = JSON.stringify(batch.map(toRow));
  const returned = await queryRows<{ inserted: boolean }>(db, sql`
    INSERT INTO papers AS p (id, title, summary, ai_summary, ai_keywords, authors,
      organization_name, organization_fullname, published_at, daily_at, daily_date,
      upvotes, num_comments, github_repo, github_stars, project_page, thumbnail, topics, search)
    SELECT r.id, r.title, r.summary, r.ai_summary, r.ai_keywords, r.authors,
      r.organization_name, r.organization_fullname, r.published_at, r.daily_at, r.daily_date,
      r.upvotes, r.num_comments, r.github_repo, r.github_stars, r.project_page, r.thumbnail, r.topics,
      to_tsvector('simple'::regconfig, r.title || ' ' || array_to_string(r.ai_keywords, ' ') || ' ' || r.summary)
    FROM jsonb_to_recordset(${rows}::jsonb) AS r(id text, title text, summary text, ai_summary text,
      ai_keywords text[], authors text[], organization_name text, organization_fullname text,
      published_at timestamptz, daily_at timestamptz, daily_date date, upvotes int, num_comments int,
      github_repo text, github_stars int, project_page text, thumbnail text, topics text[])
    ON CONFLICT (id) DO UPDATE SET
      title = excluded.title, summary = excluded.summary, ai_summary = excluded.ai_summary,
      ai_keywords = excluded.ai_keywords, authors = excluded.authors,
      organization_name = excluded.organization_name, organization_fullname = excluded.organization_fullname,
      published_at = excluded.published_at,
      daily_at = least(p.daily_at, excluded.daily_at),
      daily_date = least(p.daily_date, excluded.daily_date),
      upvotes = excluded.upvotes, num_comments = excluded.num_comments,
      github_repo = excluded.github_repo, github_stars = excluded.github_stars,
      project_page = excluded.project_page, thumbnail = excluded.thumbnail,
      topics = excluded.topics, search = excluded.search, updated_at = now()
    WHERE (p.title, p.summary, p.ai_summary, p.ai_keywords, p.authors, p.organization_name,
           p.organization_fullname, p.published_at, p.upvotes, p.num_comments, p.github_repo,
           p.github_stars, p.project_page, p.thumbnail, p.topics)
      IS DISTINCT FROM
          (excluded.title, excluded.summary, excluded.ai_summary, excluded.ai_keywords, excluded.authors,
           excluded.organization_name, excluded.organization_fullname, excluded.published_at,
           excluded.upvotes, excluded.num_comments, excluded.github_repo, excluded.github_stars,
           excluded.project_page, excluded.thumbnail, excluded.topics)
       OR excluded.daily_at < p.daily_at
    RETURNING (xmax = 0) AS inserted`);
  // xmax = 0 marks a freshly inserted row; rows the WHERE left alone are not returned.
  const inserted = returned.filter((r) => r.inserted).length;
  const updated = returned.length - inserted;
  return { new: inserted, updated, unchanged: batch.length - inserted - updated };
}

/**
 * Upserts in batches, two at a time: on two cores Postgres works on one batch
 * while Node prepares the next. Rows are deduplicated by id (the last wins:
 * ON CONFLICT cannot touch one row twice in a statement) and sorted, so
 * concurrent ingests lock rows in the same order and cannot deadlock.
 */
export async function upsertPapers(
  db: Db,
  papers: PaperInput[],
  { batchSize = UPSERT_BATCH, concurrency = 2 } = {},
): Promise<UpsertCounts> {
  const unique = [...new Map(papers.map((p) => [p.id, p])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const total: UpsertCounts = { new: 0, updated: 0, unchanged: papers.length - unique.length };
  let next = 0;
  const lane = async () => {
    while (next < unique.length) {
      const start = next;
      next += batchSize;
      const c = await upsertBatch(db, unique.slice(start, start + batchSize));
      total.new += c.new;
      total.updated += c.updated;
      total.unchanged += c.unchanged;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return total;
}
