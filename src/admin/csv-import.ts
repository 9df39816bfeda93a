/**
 * CSV import of subscribers. Rows are parsed by csv-parse (BOM, quoted fields
 * with commas, quotes and newlines), checked one by one (import-rows.ts), and
 * written in batches: one INSERT … ON CONFLICT DO NOTHING per BATCH rows, with
 * the audit events in the same statement. An address already stored is left
 * alone and counted "unchanged", so importing a file twice changes nothing.
 *
 * New rows are `pending` and get the usual confirmation email (recorded in
 * the throttle columns like a subscribe), unless the operator asserts existing
 * consent (`confirmed`): then they are `active` with confirmed_at set. A row
 * an export marked `pending` stays pending either way; rows it marked
 * unsubscribed, bounced, complained or paused are not imported.
 *
 * A quote that is never closed swallows the rest of the file into one field;
 * the result says from which line nothing was read (`unread`), never just
 * "invalid 1".
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'drizzle-orm';
import { queryRows } from '../db/rows.ts';
import type { SubscriberDeps } from '../subscribers/deps.ts';
import { AdminError } from './errors.ts';
import { checkHeader, checkRow, type ImportRow } from './import-rows.ts';

export const IMPORT_BATCH = 1000;
/** Bad rows reported one by one; beyond this only counted. */
const MAX_REPORTED = 1000;

export interface ImportResult {
  imported: number;
  unchanged: number;
  invalid: number;
  errors: { line: number; reason: string }[];
  /**
   * Lines never read as rows: a quote opened on `fromLine` is never closed,
   * so everything from there to the end of the file (`toLine`) is one
   * unfinished field. Rows before it are imported; null when the whole file was read.
   */
  unread: { fromLine: number; toLine: number; reason: string } | null;
}

export interface ImportOptions {
  confirmed: boolean;
  /** Called after each batch with the rows read so far. */
  onProgress?: (rows: number) => void;
}

type Deps = Pick<SubscriberDeps, 'db' | 'now' | 'confirmations'>;

export async function importSubscribers(deps: Deps, input: Readable | string, opts: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, unchanged: 0, invalid: 0, errors: [], unread: null };
  // Where the last record parsed ended, and how many empty lines came before it:
  // an unclosed quote opens the first record after it and any empty lines.
  let last = { lines: 0, emptyLines: 0 };
  const reject = (line: number, reason: string) => {
    result.invalid++;
    if (result.errors.length < MAX_REPORTED) result.errors.push({ line, reason });
  };
  const parser = (typeof input === 'string' ? Readable.from([input]) : input).pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      // Runs as each record is parsed, ahead of the loop below.
      on_record: (record, context) => {
        last = { lines: context.lines, emptyLines: context.empty_lines };
        return record;
      },
      on_skip: (err) => {
        if (err?.code === 'CSV_QUOTE_NOT_CLOSED') {
          // csv-parse only notices at the end of the file, and names that line.
          const fromLine = last.lines + (Number(err.empty_lines) - last.emptyLines) + 1;
          const toLine = Math.max(Number(err.lines), fromLine);
          const reason = `a quote opened on line ${fromLine} is never closed, so lines ${fromLine}–${toLine} (to the end of the file) were not read; close the quote and import the file again (rows already imported are left as they are)`;
          result.unread = { fromLine, toLine, reason };
          result.errors.push({ line: fromLine, reason });
        } else if (err) reject(Number(err.lines), err.message.replace(/ at line \d+.*$/, ''));
        return undefined;
      },
    }),
  );
  const seen = new Set<string>();
  let columns: string[] | null = null;
  let batch: ImportRow[] = [];
  let rows = 0;
  const flush = async () => {
    if (!batch.length) return;
    const inserted = await insertBatch(deps, batch, opts.confirmed);
    result.imported += inserted;
    result.unchanged += batch.length - inserted;
    batch = [];
    opts.onProgress?.(rows);
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    // A record spanning lines (newlines inside quotes) is reported by its first line.
    const line = info.lines - record.reduce((n, c) => n + (c.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
    if (!columns) {
      columns = checkHeader(record);
      continue;
    }
    rows++;
    const check = checkRow(columns, record);
    if (!check.ok) {
      reject(line, check.reason);
      continue;
    }
    const { row } = check;
    if (row.status && row.status !== 'active' && row.status !== 'pending') {
      reject(line, `status ${row.status}: only active or pending subscribers are imported`);
      continue;
    }
    const key = row.email.toLowerCase();
    if (seen.has(key)) {
      result.unchanged++;
      continue;
    }
    seen.add(key);
    batch.push(row);
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  if (!columns) throw new AdminError(400, 'bad_request', 'the file is empty; the first line must be a header such as email,topics,frequency,timezone,send_hour');
  await flush();
  opts.onProgress?.(rows);
  return result;
}

async function insertBatch(deps: Deps, batch: ImportRow[], confirmed: boolean): Promise<number> {
  const at = deps.now().toISOString();
  const input = JSON.stringify(
    batch.map((r) => ({
      email: r.email,
      topics: r.preferences.topics,
      keywords: r.preferences.keywords,
      frequency: r.preferences.frequency,
      timezone: r.preferences.timezone,
      send_hour: r.preferences.sendHour,
      active: confirmed && r.status !== 'pending',
    })),
  );
  const inserted = await queryRows<{ id: string; email: string; status: string }>(
    deps.db,
    sql`WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb)
        AS r(email text, topics text[], keywords text[], frequency text, timezone text, send_hour smallint, active boolean)
    ), ins AS (
      INSERT INTO subscribers (email, status, topics, keywords, frequency, timezone, send_hour, confirmed_at,
        confirm_sent_at, confirm_day, confirm_count, created_at, updated_at)
      SELECT email, CASE WHEN active THEN 'active' ELSE 'pending' END, topics, keywords, frequency, timezone, send_hour,
        CASE WHEN active THEN ${at}::timestamptz END,
        CASE WHEN active THEN NULL ELSE ${at}::timestamptz END,
        CASE WHEN active THEN NULL ELSE ${at.slice(0, 10)}::date END,
        CASE WHEN active THEN 0 ELSE 1 END,
        ${at}::timestamptz, ${at}::timestamptz
      FROM input
      ON CONFLICT ((lower(email))) DO NOTHING
      RETURNING id, email, status
    ), audit AS (
      INSERT INTO audit_events (subscriber_id, action, via, detail, at)
      SELECT id, 'imported', 'import', jsonb_build_object('status', status), ${at}::timestamptz FROM ins
    )
    SELECT id, email, status FROM ins`,
  );
  const pending = inserted.filter((r) => r.status === 'pending');
  for (const r of pending) deps.confirmations.enqueue({ subscriberId: r.id, email: r.email });
  // One batch of confirmations at a time: a 50,000-row import must not open 50,000 sends at once.
  if (pending.length) await deps.confirmations.drain();
  return inserted.length;
}
