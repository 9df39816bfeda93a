/**
 * The demo papers (seeds/papers.json): real titles and abstracts from captured
 * Hugging Face pages, with what the pages did not give made up — dates moved
 * to recent days, arXiv-style ids that belong to other real papers, "Author N"
 * placeholders where a card only said "9 authors". Everything that shows a
 * paper asks this module, so a demo paper says what it is: "9 authors", no
 * invented names, and a link that searches arXiv by title instead of opening
 * whichever real paper has the made-up id.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { PaperInput } from './paper.ts';

export const DEMO_SEEDS = fileURLToPath(new URL('../../seeds/papers.json', import.meta.url));

const DAY_MS = 86_400_000;
const PLACEHOLDER = /^Author \d+$/;

/**
 * The demo papers are captured pages from months ago. Moved forward together
 * so the newest appeared on Daily Papers late yesterday (UTC), they make a
 * fresh install show trending papers and send a real first digest: a digest
 * is chosen from the days before its send time, whatever hour that is today.
 */
export function redateToYesterday(papers: PaperInput[], now: Date): PaperInput[] {
  const newest = Math.max(...papers.map((p) => p.dailyAt.getTime()));
  const shift = lateYesterdayOf(now) - newest;
  return papers.map((p) => ({ ...p, dailyAt: new Date(p.dailyAt.getTime() + shift) }));
}

const lateYesterdayOf = (now: Date) => Math.floor(now.getTime() / DAY_MS) * DAY_MS - 3_600_000;

/**
 * When only demo papers are stored and the newest is older than late
 * yesterday — days have passed since `paperboy start` loaded them, or
 * `paperboy ingest --file seeds/papers.json` put back their captured 2025
 * dates (an ingest keeps a paper's earliest day) — moves them all forward
 * together again, so a digest can go out. Real papers are never moved: with
 * any stored, nothing happens. Returns how many papers moved.
 */
export async function redateStaleDemo(db: Db, now: Date): Promise<number> {
  const ids = [...demoPaperIds()];
  if (!ids.length) return 0;
  const target = new Date(lateYesterdayOf(now)).toISOString();
  const moved = await queryRows<{ id: string }>(
    db,
    sql`WITH s AS (
      SELECT count(*) FILTER (WHERE id = ANY(${sql.param(ids)}::text[])) AS demo, count(*) AS total, max(daily_at) AS newest FROM papers)
    UPDATE papers p SET daily_at = p.daily_at + (${target}::timestamptz - s.newest),
      daily_date = ((p.daily_at + (${target}::timestamptz - s.newest)) AT TIME ZONE 'UTC')::date
    FROM s WHERE s.demo = s.total AND s.newest < ${target}::timestamptz
    RETURNING p.id`,
  );
  return moved.length;
}

let demoTitles: Map<string, string> | undefined;

/** id → title of every demo paper, read once from the seeds file (empty when it is not there). */
function demoPapers(): Map<string, string> {
  if (!demoTitles) {
    try {
      const entries = JSON.parse(readFileSync(DEMO_SEEDS, 'utf8')) as { paper?: { id?: unknown; title?: unknown }; title?: unknown }[];
      demoTitles = new Map(
        entries.flatMap((e) => {
          const id = e.paper?.id;
          const title = e.title ?? e.paper?.title;
          return typeof id === 'string' && typeof title === 'string' ? [[id, title.trim()] as const] : [];
        }),
      );
    } catch {
      demoTitles = new Map();
    }
  }
  return demoTitles;
}

/** A demo paper: its id and title are the seeds'. A real paper that happens to have one of the made-up ids is not. */
export function isDemoPaper(p: { id: string; title: string }): boolean {
  return demoPapers().get(p.id) === p.title.trim();
}

/** The demo papers' ids, for loading and re-dating them. */
export const demoPaperIds = (): ReadonlySet<string> => new Set(demoPapers().keys());

/** Where a demo paper's link goes: arXiv's search for its title, since its id is not its own. */
export const demoPaperUrl = (title: string) => `https://arxiv.org/search/?query=${encodeURIComponent(`"${title}"`)}&searchtype=title`;

/** The authors' names, or none when the list is only placeholders ("Author 1", …): the count is all that is known. */
export function knownAuthors(authors: readonly string[]): { names: readonly string[]; count: number } {
  const placeholders = authors.length > 0 && authors.every((a) => PLACEHOLDER.test(a.trim()));
  return { names: placeholders ? [] : authors, count: authors.length };
}

/** "Ada Lovelace, Alan Turing and 7 others", or "9 authors" when the names are not known. */
export function authorsLine(authors: readonly string[], shown = 3): string {
  const { names, count } = knownAuthors(authors);
  if (!names.length) return count ? `${count} author${count === 1 ? '' : 's'}` : '';
  const rest = names.length - shown;
  return rest > 0 ? `${names.slice(0, shown).join(', ')} and ${rest} other${rest === 1 ? '' : 's'}` : names.join(', ');
}

/** "▲ 12 upvotes · 3 comments"; a zero count is left out (Daily Papers shows none, and the demo's are unknown). */
export function countsLine(upvotes: number, comments: number): string {
  const n = (v: number, word: string) => `${v.toLocaleString('en-US')} ${word}${v === 1 ? '' : 's'}`;
  return [upvotes > 0 ? `▲ ${n(upvotes, 'upvote')}` : '', comments > 0 ? n(comments, 'comment') : ''].filter(Boolean).join(' · ');
}

/** The sentence pages and emails show above demo papers. */
export const DEMO_NOTE =
  'These are demo papers: real titles and abstracts from captured Hugging Face pages, with made-up dates and ids, so their links search arXiv by title.';
