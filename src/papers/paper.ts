/**
 * A paper as the rest of the project sees it, parsed from one Hugging Face
 * Daily Papers API entry. The file source reads the same shape, so both
 * sources share `parseEntries`.
 *
 * Only what the API itself requires makes an entry invalid: `paper.id` and a
 * title (`paper.title`, or the entry's `title`). Every other field is read on
 * its own (entry-fields.ts): a missing one takes its default, a malformed one
 * is dropped and reported, and the rest of the entry is kept.
 */
import { z } from 'zod';
import { readOptionalFields, type DroppedField } from './entry-fields.ts';

export interface PaperInput {
  id: string;
  title: string;
  /** The abstract; '' when the entry has none. */
  summary: string;
  aiSummary: string | null;
  aiKeywords: string[];
  /** Visible authors only: an author marked `hidden` is never read. */
  authors: string[];
  organizationName: string | null;
  organizationFullname: string | null;
  publishedAt: Date;
  /** When it appeared on Daily Papers (see `dailyTime`). */
  dailyAt: Date;
  upvotes: number;
  numComments: number;
  githubRepo: string | null;
  githubStars: number | null;
  projectPage: string | null;
  thumbnail: string | null;
  /** Set when Hugging Face marks the paper withdrawn. */
  withdrawnAt?: Date | null;
}

// Postgres text cannot hold U+0000; an entry carrying one is refused (see NUL below).
const NUL = '\u0000';
const title = z.string().trim().min(1);

const requiredSchema = z.object({
  paper: z.object({
    id: z.string().regex(/^[\w./-]{1,64}$/, 'not an arXiv id'),
    title: z.unknown().optional(),
  }),
  title: z.unknown().optional(),
});

export interface SkippedEntry {
  index: number;
  reason: string;
}

export interface DroppedPart extends DroppedField {
  index: number;
  id: string;
}

export interface ParsedEntries {
  papers: PaperInput[];
  skipped: SkippedEntry[];
  /** Optional parts that were malformed and left out; their entries were kept. */
  dropped: DroppedPart[];
}

export interface ParseOptions {
  /** YYYY-MM-DD the entries were listed under; the date when an entry has none. */
  day: string | null;
  /** When paperboy saw the entries (see `dailyTime`). */
  seenAt?: Date;
}

/** Start of a YYYY-MM-DD day in UTC. */
export const startOfDayUtc = (day: string) => new Date(`${day}T00:00:00.000Z`);

/**
 * The time a paper appeared on Daily Papers. The API gives some entries only a
 * date (midnight UTC, or no `submittedOnDailyAt` at all); then the first time
 * paperboy saw the paper within that day stands in for the hour, so a day's
 * papers do not all tie on age (README, Ranking). Seen only after its day (a
 * backfill, or a paper added late to yesterday's list), such a paper takes the
 * day's last millisecond: the upsert keeps the earliest daily_at, so this never
 * moves a first-seen time already stored, and the true hour is unknowable.
 */
export function dailyTime(date: Date, seenAt: Date): Date {
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (date.getTime() !== start) return date;
  const t = seenAt.getTime();
  const end = start + 86_400_000 - 1;
  return t < start ? date : new Date(Math.min(t, end));
}

/** The first string field of the paper holding a NUL, or null. */
function fieldWithNul(p: PaperInput): string | null {
  for (const [key, value] of Object.entries(p)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((v) => typeof v === 'string' && v.includes(NUL))) return key;
  }
  return null;
}

function firstIssue(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || 'entry'}: ${first.message}` : 'invalid';
}

/**
 * Validates each entry on its own: an entry without an id or title is
 * reported with its index and skipped; it never aborts the batch.
 */
export function parseEntries(raw: unknown[], dayOrOptions: string | null | ParseOptions): ParsedEntries {
  const opts = typeof dayOrOptions === 'object' && dayOrOptions !== null ? dayOrOptions : { day: dayOrOptions };
  const papers: PaperInput[] = [];
  const skipped: SkippedEntry[] = [];
  const dropped: DroppedPart[] = [];
  const seenAt = opts.seenAt ?? new Date();
  raw.forEach((item, index) => {
    const r = requiredSchema.safeParse(item);
    if (!r.success) {
      skipped.push({ index, reason: firstIssue(r.error) });
      return;
    }
    const t = title.safeParse(r.data.paper.title);
    const fallback = title.safeParse(r.data.title);
    const name = t.success ? t.data : fallback.success ? fallback.data : null;
    if (name === null) {
      skipped.push({ index, reason: 'paper.title: missing or not text' });
      return;
    }
    const { fields, dropped: bad } = readOptionalFields(item as Record<string, unknown>);
    const listed = opts.day ? startOfDayUtc(opts.day) : null;
    const daily = fields.submittedOnDailyAt ?? listed ?? fields.publishedAt ?? seenAt;
    const paper: PaperInput = {
      id: r.data.paper.id,
      title: name.replace(/\s+/g, ' '),
      ...fields.values,
      publishedAt: fields.publishedAt ?? daily,
      dailyAt: dailyTime(daily, seenAt),
    };
    const nul = fieldWithNul(paper);
    if (nul) {
      skipped.push({ index, reason: `${nul}: contains a NUL character, which Postgres cannot store` });
      return;
    }
    papers.push(paper);
    for (const d of bad) dropped.push({ index, id: paper.id, ...d });
  });
  return { papers, skipped, dropped };
}
