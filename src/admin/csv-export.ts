/**
 * Subscribers as CSV, streamed in pages so a million rows never sit in memory:
 *
 *   email,status,topics,keywords,frequency,timezone,send_hour,created_at,confirmed_at
 *
 * topics and keywords are joined with `;`. A cell that a spreadsheet would
 * read as a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading `'`; the importer removes exactly that prefix again, so an export
 * imports as is.
 */
import { sql } from 'drizzle-orm';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';

export const EXPORT_COLUMNS = ['email', 'status', 'topics', 'keywords', 'frequency', 'timezone', 'send_hour', 'created_at', 'confirmed_at'] as const;

const FORMULA = /^[=+\-@\t\r]/;

/** Makes a cell inert in spreadsheets (OWASP's CSV injection advice). */
export const neutraliseCell = (value: string) => (FORMULA.test(value) ? `'${value}` : value);

/** The importer's inverse: drops the `'` that neutraliseCell added. */
export const restoreCell = (value: string) => (/^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value);

interface Row {
  id: string;
  email: string;
  status: string;
  topics: string[];
  keywords: string[];
  frequency: string;
  timezone: string;
  send_hour: number;
  created_at: Date | string;
  confirmed_at: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? '' : new Date(v).toISOString());

export async function* exportSubscribersCsv(db: Db, pageSize = 5000): AsyncGenerator<string> {
  yield stringify([[...EXPORT_COLUMNS]]);
  for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
    const rows = await queryRows<Row>(
      db,
      sql`SELECT id, email, status, topics, keywords, frequency, timezone, send_hour, created_at, confirmed_at
          FROM subscribers WHERE id > ${after}::uuid ORDER BY id LIMIT ${pageSize}`,
    );
    if (!rows.length) return;
    yield stringify(
      rows.map((r) =>
        [r.email, r.status, r.topics.join(';'), r.keywords.join(';'), r.frequency, r.timezone, String(r.send_hour), iso(r.created_at), iso(r.confirmed_at)].map(
          neutraliseCell,
        ),
      ),
    );
    after = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) return;
  }
}
