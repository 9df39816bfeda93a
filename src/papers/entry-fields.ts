/**
 * The optional fields of a Daily Papers entry, each read on its own. The API's
 * objects are often partial (an organisation without a name, an author without
 * a name, a count as a string): a field that is missing takes its default; one
 * that is malformed is dropped, reported as a DroppedField, and the rest of the
 * entry is kept. Lists drop only their bad elements.
 */
import { z } from 'zod';
import type { PaperInput } from './paper.ts';

export interface DroppedField {
  /** Where in the entry, e.g. `paper.organization` or `paper.authors.3`. */
  field: string;
  reason: string;
}

type Entry = Record<string, unknown>;

const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date')
  .transform((s) => new Date(s));
const count = z.number().int().min(0).max(2_147_483_647);
const text = z.string();
// Links become href attributes in mail and pages: only http(s) URLs are kept.
const link = z
  .string()
  .trim()
  .url()
  .refine((s) => /^https?:\/\//i.test(s), 'not an http(s) URL');
const organization = z.object({ name: z.string().trim().min(1), fullname: z.unknown().optional() });
const author = z.object({ name: z.string(), hidden: z.boolean().optional() });

const nonEmpty = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null);
/** A blank string reads as absent. */
const present = (v: unknown) => (typeof v === 'string' && !v.trim() ? undefined : v);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const obj = (v: unknown): Entry => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Entry) : {});

export interface OptionalFields {
  values: Omit<PaperInput, 'id' | 'title' | 'publishedAt' | 'dailyAt'>;
  publishedAt: Date | null;
  submittedOnDailyAt: Date | null;
}

export function readOptionalFields(entry: Entry): { fields: OptionalFields; dropped: DroppedField[] } {
  const paper = obj(entry.paper);
  const dropped: DroppedField[] = [];

  /** The field at `path` parsed by `schema`; undefined when absent, null or malformed. */
  function read<T>(path: string, value: unknown, schema: z.ZodType<T>): T | undefined {
    if (value === undefined || value === null) return undefined;
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    dropped.push({ field: path, reason: r.error.issues[0]?.message ?? 'malformed' });
    return undefined;
  }

  /** Each element of the list at `path` parsed by `schema`, bad ones dropped. */
  function readList<T>(path: string, value: unknown, schema: z.ZodType<T>): T[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      dropped.push({ field: path, reason: 'not a list' });
      return [];
    }
    return value.flatMap((v, i) => {
      const item = read(`${path}.${i}`, v ?? {}, schema);
      return item === undefined ? [] : [item];
    });
  }

  const summary = nonEmpty(read('paper.summary', paper.summary, text)) ?? nonEmpty(read('summary', entry.summary, text));
  const org =
    read('paper.organization', paper.organization, organization) ?? read('organization', entry.organization, organization);
  const fullname = org ? read('organization.fullname', org.fullname, text) : undefined;
  const authors = readList('paper.authors', paper.authors, author)
    .filter((a) => a.hidden !== true)
    .map((a) => oneLine(a.name))
    .filter(Boolean);

  const values: OptionalFields['values'] = {
    summary: oneLine(summary ?? ''),
    aiSummary: nonEmpty(read('paper.ai_summary', paper.ai_summary, text)),
    aiKeywords: readList('paper.ai_keywords', paper.ai_keywords, text).map((k) => k.trim()).filter(Boolean),
    authors,
    organizationName: org?.name ?? null,
    organizationFullname: nonEmpty(fullname) ?? org?.name ?? null,
    upvotes: read('paper.upvotes', paper.upvotes, count) ?? 0,
    numComments: read('numComments', entry.numComments, count) ?? 0,
    githubRepo: read('paper.githubRepo', present(paper.githubRepo), link) ?? null,
    githubStars: read('paper.githubStars', paper.githubStars, count) ?? null,
    projectPage: read('paper.projectPage', present(paper.projectPage), link) ?? null,
    thumbnail: read('thumbnail', present(entry.thumbnail), link) ?? null,
    withdrawnAt: read('paper.withdrawnAt', paper.withdrawnAt, isoDate) ?? null,
  };
  return {
    fields: {
      values,
      publishedAt: read('paper.publishedAt', paper.publishedAt, isoDate) ?? read('publishedAt', entry.publishedAt, isoDate) ?? null,
      submittedOnDailyAt: read('paper.submittedOnDailyAt', paper.submittedOnDailyAt, isoDate) ?? null,
    },
    dropped,
  };
}
