/**
 * A local stand-in for the Hugging Face API, behaving as the real one does
 * where that matters to paperboy:
 * - `GET /api/daily_papers?date=|week=|month=&limit=&p=`: the recorded
 *   entries of test/fixtures/hf/ (`<date>.p<N>.json`, concatenated per day)
 *   plus any a test adds with `setDay`, served `min(limit, pageCap)` at a time
 *   (the Hub caps pages below what is asked; default 50), an empty page past
 *   the end.
 * - `GET /api/papers/{id}` and `GET /api/arxiv/{id}/repos`: what `setPaper` /
 *   `setRepos` gave, else 404.
 * - `failNext(key, ...)`: answer the next requests whose date/week/month (or
 *   path, for the per-paper endpoints) is `key` with these first, e.g. a 429
 *   with only the IETF `RateLimit` header.
 * Every request is recorded with its headers, so tests can check HF_TOKEN.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedFailure {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RecordedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

export interface FakeHfApi {
  url: string;
  /** Path and query of every request, in order. */
  requests: string[];
  recorded: RecordedRequest[];
  /** Answer the next requests for `key` with these, in order, before the real answer. */
  failNext(key: string, ...failures: ScriptedFailure[]): void;
  /** Entries listed on `date` (replacing the fixtures of that day). */
  setDay(date: string, entries: unknown[]): void;
  setPaper(id: string, body: unknown): void;
  setRepos(id: string, body: unknown): void;
  /** Most entries per page whatever the client asks (default 50). */
  pageCap: number;
  /** Answer every page with the first one, as a service ignoring `p` would. */
  ignorePaging: boolean;
  close(): Promise<void>;
}

const FIXTURES = new URL('../fixtures/hf/', import.meta.url);

function loadFixtures(): Map<string, unknown[]> {
  const days = new Map<string, unknown[]>();
  const files = readdirSync(FIXTURES).filter((f) => /^\d{4}-\d{2}-\d{2}\.p\d+\.json$/.test(f)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const f of files) {
    const day = f.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), ...(JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as unknown[])]);
  }
  return days;
}

/** The ISO week (YYYY-Www) of a YYYY-MM-DD day. */
function isoWeek(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  const thursday = t + (3 - ((new Date(t).getUTCDay() + 6) % 7)) * 86_400_000;
  const year = new Date(thursday).getUTCFullYear();
  return `${year}-W${String(Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1).padStart(2, '0')}`;
}

export async function startFakeHfApi(): Promise<FakeHfApi> {
  const scripted = new Map<string, ScriptedFailure[]>();
  const days = loadFixtures();
  const paperPages = new Map<string, unknown>();
  const repos = new Map<string, unknown>();
  const recorded: RecordedRequest[] = [];
  const requests: string[] = [];
  const api = { pageCap: 50, ignorePaging: false };

  const listing = (q: URLSearchParams): unknown[] => {
    const date = q.get('date');
    const week = q.get('week');
    const month = q.get('month');
    const matching = [...days.keys()].filter((d) => (date ? d === date : week ? isoWeek(d) === week : month ? d.startsWith(month) : false)).sort();
    return matching.flatMap((d) => days.get(d)!);
  };

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${u.pathname}${u.search}`);
    recorded.push({ url: `${u.pathname}${u.search}`, headers: req.headers });
    const key = u.pathname === '/api/daily_papers' ? (u.searchParams.get('date') ?? u.searchParams.get('week') ?? u.searchParams.get('month') ?? '') : u.pathname;
    const failure = scripted.get(key)?.shift();
    if (failure) {
      res.writeHead(failure.status, failure.headers).end(failure.body ?? '{"error":"scripted"}');
      return;
    }
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const paper = /^\/api\/papers\/([^/]+)$/.exec(u.pathname);
    const linked = /^\/api\/arxiv\/([^/]+)\/repos$/.exec(u.pathname);
    if (u.pathname === '/api/daily_papers') {
      const size = Math.min(Number(u.searchParams.get('limit') ?? 50), api.pageCap);
      const page = api.ignorePaging ? 0 : Number(u.searchParams.get('p') ?? 0);
      json(listing(u.searchParams).slice(page * size, (page + 1) * size));
    } else if (paper && paperPages.has(decodeURIComponent(paper[1]!))) {
      json(paperPages.get(decodeURIComponent(paper[1]!)));
    } else if (linked && repos.has(decodeURIComponent(linked[1]!))) {
      json(repos.get(decodeURIComponent(linked[1]!)));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}`,
    requests,
    recorded,
    failNext(k: string, ...failures: ScriptedFailure[]) {
      scripted.set(k, [...(scripted.get(k) ?? []), ...failures]);
    },
    setDay: (date: string, entries: unknown[]) => void days.set(date, entries),
    setPaper: (id: string, body: unknown) => void paperPages.set(id, body),
    setRepos: (id: string, body: unknown) => void repos.set(id, body),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
