/**
 * A paper as the rest of the project sees it, and the zod schema of one Hugging
 * Face Daily Papers API entry that it is parsed from. The file source reads the
 * same shape, so both sources share `parseEntries`.
 */
import { z } from 'zod';

export interface PaperInput {
  id: string;
  title: string;
  summary: string;
  aiSummary: string | null;
  aiKeywords: string[];
  authors: string[];
  organizationName: string | null;
  organizationFullname: string | null;
  publishedAt: Date;
  /** When it appeared on Daily Papers; falls back to the requested day. */
  dailyAt: Date;
  upvotes: number;
  numComments: number;
  githubRepo: string | null;
  githubStars: number | null;
  projectPage: string | null;
  thumbnail: string | null;
}

const organization = z.object({ name: z.string().min(1), fullname: z.string().optional() });
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const count = z.number().int().min(0);

export const hfEntrySchema = z.object({
  paper: z.object({
    id: z.string().regex(/^[\w./-]{1,64}$/, 'not an arXiv id'),
    title: z.string().trim().min(1).optional(),
    summary: z.string().optional(),
    upvotes: count,
    authors: z.array(z.object({ name: z.string() }).passthrough()).default([]),
    publishedAt: isoDate,
    submittedOnDailyAt: isoDate.nullish(),
    ai_summary: z.string().nullish(),
    ai_keywords: z.array(z.string()).nullish(),
    githubRepo: z.string().nullish(),
    githubStars: count.nullish(),
    projectPage: z.string().nullish(),
    organization: organization.nullish(),
  }),
  title: z.string().trim().min(1).optional(),
  summary: z.string().optional(),
  publishedAt: isoDate.optional(),
  numComments: count.default(0),
  thumbnail: z.string().nullish(),
  organization: organization.nullish(),
});

export type HfEntry = z.infer<typeof hfEntrySchema>;

export interface SkippedEntry {
  index: number;
  reason: string;
}

export interface ParsedEntries {
  papers: PaperInput[];
  skipped: SkippedEntry[];
}

const nonEmpty = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null);

/** Start of a YYYY-MM-DD day in UTC. */
export const startOfDayUtc = (day: string) => new Date(`${day}T00:00:00.000Z`);

/**
 * Validates each entry on its own: a malformed entry is reported with its index
 * and skipped; it never aborts the batch.
 */
export function parseEntries(raw: unknown[], fallbackDay: string | null): ParsedEntries {
  const papers: PaperInput[] = [];
  const skipped: SkippedEntry[] = [];
  raw.forEach((item, index) => {
    const r = hfEntrySchema.safeParse(item);
    if (!r.success) {
      const first = r.error.issues[0];
      skipped.push({ index, reason: first ? `${first.path.join('.') || 'entry'}: ${first.message}` : 'invalid' });
      return;
    }
    const e = r.data;
    const p = e.paper;
    const title = p.title ?? e.title;
    const summary = nonEmpty(p.summary) ?? nonEmpty(e.summary);
    if (!title || !summary) {
      skipped.push({ index, reason: !title ? 'paper.title: missing' : 'paper.summary: missing' });
      return;
    }
    const publishedAt = new Date(p.publishedAt);
    const daily = p.submittedOnDailyAt
      ? new Date(p.submittedOnDailyAt)
      : fallbackDay
        ? startOfDayUtc(fallbackDay)
        : publishedAt;
    const org = p.organization ?? e.organization ?? null;
    papers.push({
      id: p.id,
      title: title.replace(/\s+/g, ' '),
      summary: summary.replace(/\s+/g, ' '),
      aiSummary: nonEmpty(p.ai_summary),
      aiKeywords: (p.ai_keywords ?? []).map((k) => k.trim()).filter(Boolean),
      authors: p.authors.map((a) => a.name.trim()).filter(Boolean),
      organizationName: org?.name ?? null,
      organizationFullname: nonEmpty(org?.fullname) ?? org?.name ?? null,
      publishedAt,
      dailyAt: daily,
      upvotes: p.upvotes,
      numComments: e.numComments,
      githubRepo: nonEmpty(p.githubRepo),
      githubStars: p.githubStars ?? null,
      projectPage: nonEmpty(p.projectPage),
      thumbnail: nonEmpty(e.thumbnail),
    });
  });
  return { papers, skipped };
}
