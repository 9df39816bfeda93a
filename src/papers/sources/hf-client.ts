/**
 * GET requests to the Hugging Face Hub API, shared by the Daily Papers listing
 * and the per-paper enrichment so both spend one rate budget.
 *
 * - 429: the Hub answers with the IETF `RateLimit` header
 *   (`"api";r=0;t=<seconds until the window resets>`) and `RateLimit-Policy`
 *   (`"fixed window";"api";q=500;w=300`); `Retry-After` may be absent. The
 *   client waits what the server says (at most one policy window), and every
 *   request of the client waits with it. All waits of one client together
 *   stop at `maxWaitMs` (HF_MAX_WAIT_SECONDS) with a clear error.
 * - 5xx and network errors: `retries` retries with exponential backoff and jitter.
 * - `token` (HF_TOKEN) is sent as `Authorization: Bearer …` on every request;
 *   it never appears in an error message or a log line.
 * - At most `concurrency` requests are in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { silentLogger, type Logger } from '../../log.ts';

export class HfApiError extends Error {
  override name = 'HfApiError';
}

export interface HfClientOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx and network errors. */
  retries?: number;
  /** First backoff delay; doubles each retry (plus up to 50 % jitter). */
  backoffMs?: number;
  /** Total time this client may spend waiting out rate limits. */
  maxWaitMs?: number;
  concurrency?: number;
  log?: Logger;
  fetchImpl?: typeof fetch;
}

export interface HfClient {
  /** The parsed JSON body, or null for a 404 when `allowNotFound`. */
  getJson(path: string, query?: Record<string, string>, opts?: { allowNotFound?: boolean }): Promise<unknown>;
  readonly baseUrl: string;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Milliseconds until the exhausted quota of an IETF `RateLimit` header resets:
 * the largest `t` of the items with `r=0` (or of all items if none says r=0).
 */
export function parseRateLimit(value: string | null): number | null {
  if (!value) return null;
  const items = value.split(',').map((item) => ({
    r: /;\s*r=(\d+)/.exec(item)?.[1],
    t: /;\s*t=(\d+)/.exec(item)?.[1],
  }));
  const withT = items.filter((i) => i.t !== undefined);
  const exhausted = withT.filter((i) => i.r === '0');
  const pick = exhausted.length ? exhausted : withT;
  return pick.length ? Math.max(...pick.map((i) => Number(i.t))) * 1000 : null;
}

/** The window (`w=`, seconds) of a `RateLimit-Policy` header, in ms. */
export function parsePolicyWindow(value: string | null): number | null {
  const w = value ? /;\s*w=(\d+)/.exec(value)?.[1] : undefined;
  return w === undefined ? null : Number(w) * 1000;
}

const DEFAULT_WINDOW_MS = 300_000; // the Hub's documented 5-minute windows
// A server answering 429 with no wait forever would otherwise loop until maxWaitMs.
const MAX_RATE_LIMITED = 20;

type NetError = Error & { code?: string; cause?: NetError; errors?: NetError[] };

/** fetch() hides the reason in `cause` (sometimes an AggregateError); dig it out. */
function describeNetworkError(err: Error, timeoutMs: number): string {
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = (err as NetError).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? err.message;
}

export function createHfClient(opts: HfClientOptions): HfClient {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 4;
  const backoffMs = opts.backoffMs ?? 500;
  const maxWaitMs = opts.maxWaitMs ?? 900_000;
  const log = opts.log ?? silentLogger;
  const doFetch = opts.fetchImpl ?? fetch;
  const limit = pLimit(opts.concurrency ?? 4);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'paperboy (+self-hosted digest)' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  // Shared by every request of this client: a 429 pauses them all.
  let pausedUntil = 0;
  let waitedMs = 0;

  /** Records the wait a 429 asks for (`fallbackMs` when it says nothing), or throws past the budget. */
  function rateLimited(url: string, res: Response, fallbackMs: number): void {
    const window = parsePolicyWindow(res.headers.get('ratelimit-policy')) ?? DEFAULT_WINDOW_MS;
    const told = parseRateLimit(res.headers.get('ratelimit')) ?? parseRetryAfter(res.headers.get('retry-after'));
    const wait = Math.min(told ?? fallbackMs, window);
    // Requests in flight together share one pause: only what extends it counts against the budget.
    const now = Date.now();
    const extra = Math.max(0, now + wait - Math.max(pausedUntil, now));
    if (waitedMs + extra > maxWaitMs) {
      throw new HfApiError(
        `GET ${url}: rate limited (HTTP 429); waiting ${Math.ceil(wait / 1000)} s more would exceed HF_MAX_WAIT_SECONDS (${Math.round(maxWaitMs / 1000)} s, ${Math.round(waitedMs / 1000)} s already waited)`,
      );
    }
    waitedMs += extra;
    pausedUntil = Math.max(pausedUntil, now + wait);
    log.warn({ url, waitSeconds: wait / 1000, waitedSeconds: waitedMs / 1000 }, 'rate limited by Hugging Face; waiting');
  }

  async function attempt(url: string, allowNotFound: boolean): Promise<unknown> {
    let lastProblem = '';
    let failures = 0;
    let throttled = 0;
    for (;;) {
      const pause = pausedUntil - Date.now();
      if (pause > 0) await sleep(pause);
      let backoff = backoffMs * 2 ** failures * (1 + Math.random() / 2);
      try {
        const res = await doFetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        if (res.ok) {
          try {
            return await res.json();
          } catch {
            throw new HfApiError(`GET ${url}: response is not JSON`);
          }
        }
        await res.body?.cancel();
        if (res.status === 404 && allowNotFound) return null;
        lastProblem = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (res.status === 429) {
          if (++throttled > MAX_RATE_LIMITED) throw new HfApiError(`GET ${url}: still rate limited after ${MAX_RATE_LIMITED} waits`);
          rateLimited(url, res, backoffMs * 2 ** throttled);
          continue;
        }
        if (res.status < 500) throw new HfApiError(`GET ${url}: ${lastProblem}`);
        const after = parseRetryAfter(res.headers.get('retry-after'));
        if (after !== null) backoff = Math.min(Math.max(after, backoff), DEFAULT_WINDOW_MS);
      } catch (err) {
        if (err instanceof HfApiError) throw err;
        lastProblem = describeNetworkError(err as Error, timeoutMs);
      }
      if (++failures > retries) throw new HfApiError(`GET ${url} failed after ${failures} attempts: ${lastProblem}`);
      await sleep(backoff);
    }
  }

  return {
    baseUrl: opts.baseUrl,
    getJson(path, query, o) {
      const url = new URL(path, opts.baseUrl);
      if (query) url.search = new URLSearchParams(query).toString();
      return limit(() => attempt(url.toString(), o?.allowNotFound ?? false));
    },
  };
}
