/**
 * Upserts papers by arXiv id. Ingesting the same day twice creates nothing new;
 * changed counts (upvotes, comments, stars) and enriched fields are updated;
 * first_seen_at never moves and daily_at keeps the earliest appearance.
 *
 * A batch travels as one text parameter per column (see paper-columns.ts) and
 * is unpacked in SQL by string_to_array and unnest: one round trip per batch,
 * and the cheapest input Postgres can parse. No search vector is stored:
 * subscriber keywords are matched at query time over the digest window's few
 * hundred papers (digest/candidates.ts), so a backfill of a hundred thousand
 * papers never pays Postgres' text parser for every abstract (BENCHMARKS.md).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { PaperInput } from './paper.ts';
import { paperColumns, unpackColumns } from './paper-columns.ts';
import { inlineTagger, startTagWorker } from './tag-pool.ts';
import type { Topic } from './topics.ts';

export const UPSERT_BATCH = 2000;

export interface UpsertCounts {
  new: number;
  updated: number;
  unchanged: number;
}

const names = paperColumns.map((c) => c.name);
const prefixed = (prefix: string, cols: readonly string[]) => cols.map((c) => `${prefix}${c}`).join(', ');
// What counts as a change: everything but the Daily Papers date, which only moves earlier.
const compared = names.filter((n) => n !== 'id' && n !== 'daily_at' && n !== 'daily_date');

const conflictSql = sql.raw(`
    ON CONFLICT (id) DO UPDATE SET
      ${compared.map((c) => `${c} = excluded.${c}`).join(', ')},
      daily_at = least(p.daily_at, excluded.daily_at),
      daily_date = least(p.daily_date, excluded.daily_date),
      updated_at = now()
    WHERE (${prefixed('p.', compared)}) IS DISTINCT FROM (${prefixed('excluded.', compared)})
       OR excluded.daily_at < p.daily_at
    RETURNING (xmax = 0) AS inserted`);

async function upsertBatch(db: Db, batch: PaperInput[], topics: Topic[][]): Promise<UpsertCounts> {
  const returned = await queryRows<{ inserted: boolean }>(db, sql`
    INSERT INTO papers AS p (${sql.raw(names.join(', '))})
    SELECT ${sql.raw(prefixed('r.', names))} FROM ${unpackColumns(batch, topics, 'r')}
    ${conflictSql}`);
  // xmax = 0 marks a freshly inserted row; rows the WHERE left alone are not returned.
  const inserted = returned.filter((r) => r.inserted).length;
  const updated = returned.length - inserted;
  return { new: inserted, updated, unchanged: batch.length - inserted - updated };
}

/** From this many papers, tagging runs on a worker thread (tag-pool.ts). */
export const TAG_IN_WORKER_FROM = 10_000;

/**
 * Upserts in batches, two at a time: on two cores Postgres works on one
 * batch while Node prepares the next (and, for a large ingest, a worker
 * thread tags the one after). Rows are deduplicated by id (the last wins:
 * ON CONFLICT cannot touch one row twice in a statement) and sorted, so
 * concurrent ingests lock rows in the same order and cannot deadlock.
 */
export async function upsertPapers(
  db: Db,
  papers: PaperInput[],
  { batchSize = UPSERT_BATCH, concurrency = 2, tagInWorkerFrom = TAG_IN_WORKER_FROM } = {},
): Promise<UpsertCounts> {
  const unique = [...new Map(papers.map((p) => [p.id, p])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const total: UpsertCounts = { new: 0, updated: 0, unchanged: papers.length - unique.length };
  const tagger = unique.length >= tagInWorkerFrom ? startTagWorker() : inlineTagger;
  let next = 0;
  const lane = async () => {
    while (next < unique.length) {
      const batch = unique.slice(next, (next += batchSize));
      const c = await upsertBatch(db, batch, await tagger.tag(batch));
      total.new += c.new;
      total.updated += c.updated;
      total.unchanged += c.unchanged;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    await tagger.close();
  }
  return total;
}
