/**
 * One CSV row of an import, checked with the subscribe API's own rules
 * (src/subscribers/preferences.ts). Columns: email (required), topics and
 * keywords (`;`-separated), frequency, timezone, send_hour; an empty cell
 * takes the subscribe default. An export's extra columns (status, created_at,
 * confirmed_at) are accepted so an export imports as is; any other column is
 * refused before a single row is read.
 */
import { z } from 'zod';
import {
  defaultPreferences,
  emailSchema,
  frequencySchema,
  keywordsSchema,
  sendHourSchema,
  timezoneSchema,
  topicsSchema,
  type Preferences,
} from '../subscribers/preferences.ts';
import { restoreCell } from './csv-export.ts';
import { AdminError } from './errors.ts';

export const IMPORT_COLUMNS = ['email', 'topics', 'frequency', 'timezone', 'send_hour'] as const;
const OPTIONAL_COLUMNS = ['keywords', 'status', 'created_at', 'confirmed_at'];

const cell = z.string().max(2000).transform(restoreCell);
const orDefault = <T>(fallback: T) => (v: string) => (v.trim() === '' ? fallback : v.trim());
const list = cell.transform((v) => v.split(';').map((s) => s.trim()).filter(Boolean));

const rowSchema = z.object({
  email: cell.pipe(emailSchema),
  topics: list.pipe(topicsSchema),
  keywords: list.pipe(keywordsSchema),
  frequency: cell.transform(orDefault(defaultPreferences.frequency)).pipe(frequencySchema),
  timezone: cell.transform(orDefault(defaultPreferences.timezone)).pipe(timezoneSchema),
  send_hour: cell
    .transform(orDefault(String(defaultPreferences.sendHour)))
    .pipe(z.string().regex(/^\d{1,2}$/, 'send_hour must be a whole hour from 0 to 23'))
    .transform(Number)
    .pipe(sendHourSchema),
  status: cell.transform((s) => s.trim()),
});

export interface ImportRow {
  email: string;
  preferences: Preferences;
  /** What the file says the subscriber was (an export's status column), '' when absent. */
  status: string;
}

/** Checks the header; returns the column names in file order. */
export function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n) && !OPTIONAL_COLUMNS.includes(n));
  if (unknown.length) {
    throw new AdminError(400, 'bad_request', `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected ${IMPORT_COLUMNS.join(',')}`);
  }
  if (!names.includes('email')) throw new AdminError(400, 'bad_request', `the first line must be a header naming the columns, e.g. ${IMPORT_COLUMNS.join(',')}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new AdminError(400, 'bad_request', `column "${twice}" appears twice`);
  return names;
}

export type RowCheck = { ok: true; row: ImportRow } | { ok: false; reason: string };

export function checkRow(columns: string[], cells: string[]): RowCheck {
  if (cells.length !== columns.length) return { ok: false, reason: `expected ${columns.length} fields, found ${cells.length}` };
  const record: Record<string, string> = { topics: '', keywords: '', frequency: '', timezone: '', send_hour: '', status: '' };
  columns.forEach((c, i) => (record[c] = cells[i]!));
  const parsed = rowSchema.safeParse(record);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ') };
  }
  const r = parsed.data;
  return {
    ok: true,
    row: {
      email: r.email,
      status: r.status,
      preferences: { topics: r.topics, keywords: r.keywords, frequency: r.frequency, timezone: r.timezone, sendHour: r.send_hour },
    },
  };
}
