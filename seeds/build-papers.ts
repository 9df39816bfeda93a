/**
 * Build seeds/papers.json from the captured Hugging Face paper listing pages.
 *
 *   npx tsx seeds/build-papers.ts [pagesDir]      (default: /work/shared/seed-pages)
 *
 * Output: a JSON array of entries shaped like GET https://huggingface.co/api/daily_papers.
 * Deterministic: no clock, no randomness. Every synthetic value (arXiv-like id, time of
 * day, comment count, date of undated papers) comes from a SHA-256 of the title or id,
 * so the same pages always give a byte-identical file. See seeds/README.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGES_DIR = process.argv[2] ?? '/work/shared/seed-pages';
const OUT_FILE = join(dirname(fileURLToPath(import.meta.url)), 'papers.json');

// HF prints dates of the current year without the year ("Nov 8"), older ones with it
// ("Oct 25, 2023"). The newest explicit year on the pages is 2024 and year-less papers
// are 2025 releases (e.g. Kandinsky 5.0), so the pages were captured in 2025.
// parseDate() asserts that no explicit year reaches this, so a recapture fails loudly.
const CAPTURE_YEAR = 2025;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Page chrome that precedes the first paper. The "no blank lines" capture glues
// "Subscribe" onto the first title ("SubscribeGranite Vision: ..."), handled below.
const CHROME = new Set([
  'new',
  'Get trending papers in your email inbox once a day!',
  'Get trending papers in your email inbox!',
  'Subscribe',
  'Daily Papers',
  'byAK and the research community',
]);

// The captures went through HF mirrors that rewrote huggingface.co links in abstracts.
// Put the original host back so seeded emails never link to a third-party mirror.
const MIRROR_HOSTS = /https:\/\/(?:hf\.mirrork\.net|hf-2025\.pages\.dev)\//g;

interface Raw {
  page: string;
  title: string;
  summary: string;
  authorCount?: number;
  org?: { name: string; fullname: string };
  date?: string; // YYYY-MM-DD from the entry's own date line
  upvotes?: number;
  pageDate?: string; // the page's header date ("Dec 8"), if it has one
}

const hashInt = (s: string): number => parseInt(createHash('sha256').update(s).digest('hex').slice(0, 8), 16);
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const titleKey = (t: string): string => t.toLowerCase().replace(/\s+/g, ' ').trim();
// Plain code-unit comparison: localeCompare depends on the ICU build, this does not.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Match of "Oct 25, 2023" / "Nov 8" (groups: month, day, year?) → "2023-10-25" / "2025-11-08". */
function parseDate([, mon = '', day = '', year]: RegExpExecArray): string {
  const m = MONTHS.indexOf(mon);
  if (m < 0) throw new Error(`unknown month ${mon}`);
  const y = year ? Number(year) : CAPTURE_YEAR;
  if (year && y >= CAPTURE_YEAR) throw new Error(`explicit year ${y} >= CAPTURE_YEAR; update CAPTURE_YEAR`);
  return `${y}-${pad(m + 1)}-${pad(Number(day))}`;
}

// Entry footer, e.g. "  • 41 authors" | "nvidia NVIDIA", then "·", then "Jun 15, 2022 3".
// The trailing number on the date line is the upvote count; no number means 0.
const AUTHORS_RE = /^\s*•\s*(\d+) authors?$/;
const DATE_RE = /^([A-Z][a-z]{2}) (\d{1,2})(?:, (\d{4}))?(?: (\d+))?$/;
const HEADER_DATE_RE = /^([A-Z][a-z]{2}) (\d{1,2})$/;

function parsePage(file: string): Raw[] {
  // Blank lines are layout only (one capture has none at all), so drop them.
  const lines = readFileSync(join(PAGES_DIR, file), 'utf8')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');

  const line = (k: number): string => lines[k] ?? ''; // '' only past the end: blanks are gone

  let i = 0;
  let pageDate: string | undefined;
  for (; i < lines.length; i++) {
    const l = line(i);
    if (CHROME.has(l)) continue;
    const hd = HEADER_DATE_RE.exec(l);
    if (hd) {
      pageDate = parseDate(hd);
      continue;
    }
    if (l.startsWith('Subscribe')) lines[i] = l.slice('Subscribe'.length);
    break; // first title
  }

  const out: Raw[] = [];
  while (i < lines.length) {
    const title = line(i);
    const summary = line(i + 1);
    if (!summary || title.length > 200 || summary.length < title.length || DATE_RE.test(title))
      throw new Error(`${file}: non-blank line ${i + 1}: unexpected layout near ${JSON.stringify(title.slice(0, 60))}`);
    const raw: Raw = { page: file, title, summary: summary.replace(MIRROR_HOSTS, 'https://huggingface.co/'), pageDate };
    i += 2;
    // Some cards (mostly recent papers) were captured without the footer at all.
    if (line(i + 1) === '·') {
      const meta = line(i);
      const d = DATE_RE.exec(line(i + 2));
      if (!d) throw new Error(`${file}: non-blank line ${i + 3}: bad date line ${JSON.stringify(line(i + 2))}`);
      const a = AUTHORS_RE.exec(meta);
      if (a) raw.authorCount = Number(a[1]);
      else raw.org = parseOrg(meta);
      raw.date = parseDate(d);
      raw.upvotes = d[4] ? Number(d[4]) : 0;
      i += 3;
    }
    out.push(raw);
  }
  return out;
}

/** Org cards read "<name> <fullname>" (avatar alt + label), e.g. "nvidia NVIDIA". */
function parseOrg(line: string): { name: string; fullname: string } {
  const [name = '', ...rest] = line.trim().split(/\s+/);
  const fullname = rest.join(' ');
  // "W2GenAI Lab" does not repeat its name, so it cannot be split: keep the whole line as fullname.
  if (fullname.toLowerCase() !== name.toLowerCase()) return { name, fullname: line.trim() };
  return { name, fullname };
}

/** First URL in the abstract that `accept` takes, cut before LaTeX \href braces and sentence punctuation. */
function firstUrl(text: string, accept: (url: string) => boolean): string | undefined {
  for (const m of text.matchAll(/https?:\/\/[^\s{},]+/g)) {
    const url = m[0].replace(/[.,;:)]+$/, '').replace(/\.git$/, '');
    if (accept(url)) return url;
  }
  return undefined;
}

// ---- parse and merge --------------------------------------------------------

const pages = readdirSync(PAGES_DIR).filter((f) => f.endsWith('.txt')).sort();
const merged = new Map<string, Raw>();
for (const page of pages) {
  for (const r of parsePage(page)) {
    const key = titleKey(r.title);
    const prev = merged.get(key);
    if (!prev) {
      merged.set(key, r);
      continue;
    }
    // Same paper on several pages: keep the first capture's text, fill gaps from later
    // ones, and keep the highest upvote count (upvotes only grow between captures).
    if (prev.summary !== r.summary) console.warn(`abstracts differ for "${r.title}"; keeping ${prev.page}`);
    prev.authorCount ??= r.authorCount;
    prev.org ??= r.org;
    prev.date ??= r.date;
    prev.pageDate ??= r.pageDate;
    if (r.upvotes !== undefined) prev.upvotes = Math.max(prev.upvotes ?? 0, r.upvotes);
  }
}

// Every date the pages show (entry dates and page header dates), used to spread
// papers that have no date of their own.
const datePool = [...new Set([...merged.values()].flatMap((r) => [r.date, r.pageDate]).filter((d): d is string => !!d))].sort();

// ---- build entries ------------------------------------------------------------

const usedIds = new Set<string>();
const entries = [...merged.values()]
  .sort((a, b) => cmp(titleKey(a.title), titleKey(b.title))) // stable id allocation order
  .map((r) => {
    // Own date > the page's header date > a hash-picked date from the pool.
    const day = r.date ?? r.pageDate ?? datePool[hashInt(`date:${r.title}`) % datePool.length] ?? '';

    // arXiv-style YYMM.NNNNN matching the date; on a clash take the next free number.
    const yymm = day.slice(2, 4) + day.slice(5, 7);
    let n = (hashInt(`id:${r.title}`) % 19999) + 1;
    while (usedIds.has(`${yymm}.${pad(n, 5)}`)) n = (n % 19999) + 1;
    const id = `${yymm}.${pad(n, 5)}`;
    usedIds.add(id);

    // Submission time between 06:00 and 17:59 UTC so the calendar day survives any
    // display time zone within ±6 h.
    const secs = 6 * 3600 + (hashInt(`time:${id}`) % (12 * 3600));
    const submittedOnDailyAt = `${day}T${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}.000Z`;
    const publishedAt = `${day}T00:00:00.000Z`;

    const githubRepo = firstUrl(r.summary, (u) => /^https:\/\/github\.com\/[^/]+\/[^/]+$/.test(u));
    const projectPage = firstUrl(r.summary, (u) => !/\/\/(github\.com|bitbucket\.org|huggingface\.co)\//.test(u));

    const paper = {
      id,
      title: r.title,
      summary: r.summary,
      upvotes: r.upvotes ?? 0,
      // The pages give only a count ("N authors"); org cards and footer-less cards give none.
      authors: Array.from({ length: r.authorCount ?? 0 }, (_, k) => ({ name: `Author ${k + 1}` })),
      publishedAt,
      submittedOnDailyAt,
      ...(githubRepo && { githubRepo }),
      ...(projectPage && { projectPage }),
      ...(r.org && { organization: r.org }),
    };
    return {
      paper,
      title: r.title,
      summary: r.summary,
      publishedAt,
      numComments: hashInt(`comments:${id}`) % 6, // synthetic: the pages show no comment counts
      thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png`,
      ...(r.org && { organization: r.org }),
    };
  })
  // Newest day first, then most upvoted, like the HF listing.
  .sort(
    (a, b) =>
      cmp(b.paper.submittedOnDailyAt.slice(0, 10), a.paper.submittedOnDailyAt.slice(0, 10)) ||
      b.paper.upvotes - a.paper.upvotes ||
      cmp(a.paper.id, b.paper.id),
  );

writeFileSync(OUT_FILE, JSON.stringify(entries, null, 2) + '\n');
const all = [...merged.values()];
const own = all.filter((r) => r.date).length;
const header = all.filter((r) => !r.date && r.pageDate).length;
console.log(`wrote ${entries.length} papers (${datePool[0]} .. ${datePool[datePool.length - 1]}) to ${OUT_FILE}`);
console.log(`dates: ${own} own, ${header} page header, ${all.length - own - header} hash-picked from ${datePool.length} page dates`);
