/**
 * Hugging Face Daily Papers JSON API:
 *   GET {base}/api/daily_papers?date=YYYY-MM-DD&limit=100&p=N
 * Pages until a short page. Each request has a timeout; 429, 5xx and network
 * errors are retried with exponential backoff and jitter, honouring Retry-After.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEntries, type PaperInput, type SkippedEntry } from '../paper.ts';
import type { PaperSource, SourceBatch } from './source.ts';

export const PAGE_SIZE = 100;
// A day has a few dozen papers; a runaway pager is a bug, not a busy day.
const MAX_PAGES = 50;

export class HfApiError extends Error {
  override name = 'HfApiError';
}

export interface HfSourceOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff delay; doubles each retry (plus up to 50 % jitter). */
  backoffMs?: number;
  /** Longest Retry-After we will wait for, so a bad header cannot stall a run. */
  maxRetryAfterMs?: number;
  fetchImpl?: typeof fetch;
}

const retryable = (status: number) => status === 429 || status >= 500;

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

type NetError = Error & { code?: string; cause?: NetError; errors?: NetError[] };

/** fetch() hides the reason in `cause` (sometimes an AggregateError); dig it out. */
function describeNetworkError(err: Error, timeoutMs: number): string {
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = (err as NetError).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? err.message;
}

export function hfDailySource(opts: HfSourceOptions): PaperSource {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 4;
  const backoffMs = opts.backoffMs ?? 500;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
  const doFetch = opts.fetchImpl ?? fetch;

  async function getJson(url: string): Promise<unknown> {
    let lastProblem = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      let wait = backoffMs * 2 ** attempt * (1 + Math.random() / 2);
      try {
        const res = await doFetch(url, {
          headers: { accept: 'application/json', 'user-agent': 'paperboy (+self-hosted digest)' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.ok) {
          try {
            return await res.json();
          } catch {
            throw new HfApiError(`GET ${url}: response is not JSON`);
          }
        }
        lastProblem = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        await res.body?.cancel();
        if (!retryable(res.status)) throw new HfApiError(`GET ${url}: ${lastProblem}`);
        const after = parseRetryAfter(res.headers.get('retry-after'));
        if (after !== null) wait = Math.min(Math.max(after, wait), maxRetryAfterMs);
      } catch (err) {
        if (err instanceof HfApiError) throw err;
        lastProblem = describeNetworkError(err as Error, timeoutMs);
      }
      if (attempt < retries) await sleep(wait);
    }
    throw new HfApiError(`GET ${url} failed after ${retries + 1} attempts: ${lastProblem}`);
  }

  return {
    name: `hf:${opts.baseUrl}`,
    async fetch(day?: string): Promise<SourceBatch> {
      if (!day) throw new HfApiError('the Daily Papers API needs a date');
      const papers: PaperInput[] = [];
      const skipped: SkippedEntry[] = [];
      let fetched = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const url = new URL('/api/daily_papers', opts.baseUrl);
        url.search = new URLSearchParams({ date: day, limit: String(PAGE_SIZE), p: String(page) }).toString();
        const body = await getJson(url.toString());
        if (!Array.isArray(body)) throw new HfApiError(`GET ${url}: expected a JSON array`);
        const parsed = parseEntries(body, day);
        papers.push(...parsed.papers);
        // Indexes are reported across pages so a log line points at one entry.
        skipped.push(...parsed.skipped.map((s) => ({ ...s, index: s.index + fetched })));
        fetched += body.length;
        if (body.length < PAGE_SIZE) break;
      }
      return { fetched, papers, skipped };
    },
  };
}
