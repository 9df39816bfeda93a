/**
 * One ingest run: fetch each requested period (day, week or month) from a
 * source, upsert, and record the run. Entries without an id or title (or with
 * text Postgres cannot store) are logged with their index and counted as
 * skipped; malformed optional parts are logged and dropped, the entry kept.
 * Nothing is fatal but a source that fails outright (after its retries),
 * which fails the run.
 */
import type { Db } from '../db/client.ts';
import { runs } from '../db/schema.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { PaperSource } from './sources/source.ts';
import { upsertPapers } from './ingest.ts';

export interface IngestCounts {
  fetched: number;
  new: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface IngestRunOptions {
  db: Db;
  source: PaperSource;
  /** Periods to fetch (YYYY-MM-DD, YYYY-Www, YYYY-MM); a file source is read once with `[undefined]`. */
  days: (string | undefined)[];
  log?: Logger;
  onDay?: (day: string | undefined, counts: IngestCounts) => void;
}

export const emptyCounts = (): IngestCounts => ({ fetched: 0, new: 0, updated: 0, unchanged: 0, skipped: 0 });

export async function runIngest(opts: IngestRunOptions): Promise<IngestCounts> {
  const log = opts.log ?? silentLogger;
  const startedAt = new Date();
  const total = emptyCounts();
  for (const day of opts.days) {
    const batch = await opts.source.fetch(day);
    for (const s of batch.skipped) {
      log.warn({ source: opts.source.name, day, index: s.index, reason: s.reason }, 'skipped malformed paper entry');
    }
    for (const d of batch.dropped) {
      log.warn({ source: opts.source.name, day, index: d.index, id: d.id, field: d.field, reason: d.reason }, 'dropped malformed optional field');
    }
    const up = await upsertPapers(opts.db, batch.papers);
    const counts: IngestCounts = { fetched: batch.fetched, ...up, skipped: batch.skipped.length };
    for (const k of Object.keys(total) as (keyof IngestCounts)[]) total[k] += counts[k];
    log.info({ source: opts.source.name, day, ...counts }, 'ingested');
    opts.onDay?.(day, counts);
  }
  await opts.db.insert(runs).values({ kind: 'ingest', startedAt, stats: { ...total, source: opts.source.name } });
  return total;
}
