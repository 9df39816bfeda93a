/**
 * Hugging Face Daily Papers JSON API:
 *   GET {base}/api/daily_papers?date=YYYY-MM-DD&limit=100&p=N
 *   (or week=YYYY-Www / month=YYYY-MM instead of date, for backfills)
 *
 * The endpoint's default page is 50 and its maximum is undocumented: it may
 * answer fewer entries than asked without being at the end. So paging goes on
 * until an empty page, or a page that adds no new ids, up to MAX_PAGES (a log
 * line says so if that cap is hit). Requests go through hf-client.ts (rate
 * limits, retries, HF_TOKEN).
 */
import { silentLogger, type Logger } from '../../log.ts';
import { parseEntries, type DroppedPart, type PaperInput, type SkippedEntry } from '../paper.ts';
import { createHfClient, HfApiError, type HfClient, type HfClientOptions } from './hf-client.ts';
import type { PaperSource, SourceBatch } from './source.ts';

export { HfApiError, parseRetryAfter, parseRateLimit } from './hf-client.ts';

export const PAGE_SIZE = 100;
// A day has a few dozen papers and a month ~1,500: past this, paging is a bug, not a busy month.
export const MAX_PAGES = 100;

export interface HfSourceOptions extends HfClientOptions {
  /** A client to share (and its rate budget) with enrichment; made from the other options if absent. */
  client?: HfClient;
  log?: Logger;
  /** The clock of "first seen" (paper.ts, dailyTime); tests set it. */
  now?: () => Date;
  maxPages?: number;
}

/** The listing's query for a period: a day, an ISO week (2025-W50) or a month (2025-12). */
export function periodQuery(period: string): Record<string, string> {
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return { date: period };
  if (/^\d{4}-W\d{2}$/.test(period)) return { week: period };
  if (/^\d{4}-\d{2}$/.test(period)) return { month: period };
  throw new HfApiError(`not a day, ISO week or month: ${period}`);
}

export function hfDailySource(opts: HfSourceOptions): PaperSource {
  const client = opts.client ?? createHfClient(opts);
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  const maxPages = opts.maxPages ?? MAX_PAGES;
  return {
    name: `hf:${opts.baseUrl}`,
    async fetch(period?: string): Promise<SourceBatch> {
      if (!period) throw new HfApiError('the Daily Papers API needs a date, week or month');
      const query = periodQuery(period);
      const day = query.date ?? null;
      const papers: PaperInput[] = [];
      const skipped: SkippedEntry[] = [];
      const dropped: DroppedPart[] = [];
      const ids = new Set<string>();
      let fetched = 0;
      let page = 0;
      for (; page < maxPages; page++) {
        const body = await client.getJson('/api/daily_papers', { ...query, limit: String(PAGE_SIZE), p: String(page) });
        if (!Array.isArray(body)) throw new HfApiError(`GET /api/daily_papers?${new URLSearchParams(query)}&p=${page}: expected a JSON array`);
        if (body.length === 0) break;
        const parsed = parseEntries(body, { day, seenAt: now() });
        // A page of ids already seen means the service repeats a page: the end.
        if (parsed.papers.length > 0 && parsed.papers.every((p) => ids.has(p.id))) break;
        for (const p of parsed.papers) ids.add(p.id);
        // A week or month lists a paper once per day it was on: the upsert keeps the last (newest counts).
        papers.push(...parsed.papers);
        // Indexes are reported across pages so a log line points at one entry.
        skipped.push(...parsed.skipped.map((s) => ({ ...s, index: s.index + fetched })));
        dropped.push(...parsed.dropped.map((d) => ({ ...d, index: d.index + fetched })));
        fetched += body.length;
      }
      if (page === maxPages) log.warn({ period, pages: maxPages }, 'stopped paging Daily Papers at the page cap; later entries were not read');
      return { fetched, papers, skipped, dropped };
    },
  };
}
