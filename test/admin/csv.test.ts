/**
 * CSV export and import through the admin API: a round trip into a fresh
 * database, hostile files (formula prefixes, quotes, commas and newlines in
 * fields, a BOM, bad rows mid-file, re-imports) and 50,000 rows.
 */
import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { neutraliseCell, restoreCell } from '../../src/admin/csv-export.ts';
import { queryRows } from '../../src/db/rows.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 't'.repeat(40);
const auth = { authorization: `Bearer ${TOKEN}` };
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestApp({ env: { ADMIN_TOKEN: TOKEN } }), createTestApp({ env: { ADMIN_TOKEN: TOKEN } })]);
});
afterAll(() => Promise.all([a.close(), b.close()]));
beforeEach(async () => {
  await Promise.all([a, b].map((t) => t.database.db.execute(sql`TRUNCATE subscribers CASCADE`)));
  a.mailer.sent.length = 0;
});

const importCsv = (t: TestApp, csv: string, confirmed = false) =>
  t.app.inject({ method: 'POST', url: `/api/admin/subscribers/import?confirmed=${confirmed}`, headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
const exportCsv = async (t: TestApp) => {
  const res = await t.app.inject({ url: '/api/admin/subscribers.csv', headers: auth });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/csv');
  return res.body;
};
const prefs = (t: TestApp) =>
  queryRows<Record<string, unknown>>(
    t.database.db,
    sql`SELECT email, status, topics, keywords, frequency, timezone, send_hour FROM subscribers ORDER BY lower(email)`,
  );

describe('formula neutralising', () => {
  it('prefixes = + - @ tab and CR with a quote, and the importer undoes exactly that', () => {
    for (const v of ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx']) {
      expect(neutraliseCell(v)).toBe(`'${v}`);
      expect(restoreCell(neutraliseCell(v))).toBe(v);
    }
    expect(neutraliseCell('ada@example.org')).toBe('ada@example.org');
    expect(restoreCell("'quoted")).toBe("'quoted");
  });
});

describe('CSV import and export', () => {
  it('round-trips subscribers and their preferences into a fresh database', async () => {
    const csv = [
      'email,topics,frequency,timezone,send_hour',
      'ada@example.org,llm;agents,daily,Europe/Berlin,6',
      'grace@example.org,,weekly,America/New_York,18',
      '=calc@example.org,vision,daily,UTC,0',
      '-dash@example.org,,daily,Asia/Kolkata,23',
    ].join('\n');
    expect((await importCsv(a, csv, true)).json()).toMatchObject({ imported: 4, unchanged: 0, invalid: 0 });
    await a.database.db.execute(sql`UPDATE subscribers SET keywords = ARRAY['-shot', 'speculative decoding', 'say "hi", then, bye'] WHERE email = 'ada@example.org'`);

    const exported = await exportCsv(a);
    const rows = parse(exported, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['email', 'status', 'topics', 'keywords', 'frequency', 'timezone', 'send_hour', 'created_at', 'confirmed_at']);
    // Formula-like cells are inert in a spreadsheet.
    expect(rows.map((r) => r.email).sort()).toContain("'=calc@example.org");
    expect(rows.map((r) => r.email)).toContain("'-dash@example.org");
    expect(exported).toContain(`"'-shot;speculative decoding;say ""hi"", then, bye"`);

    const result = (await importCsv(b, exported, true)).json();
    expect(result).toMatchObject({ imported: 4, unchanged: 0, invalid: 0 });
    expect(await prefs(b)).toEqual(await prefs(a));
    expect((await prefs(b)).find((r) => r.email === 'ada@example.org')).toMatchObject({
      topics: ['llm', 'agents'],
      keywords: ['-shot', 'speculative decoding', 'say "hi", then, bye'],
      timezone: 'Europe/Berlin',
      send_hour: 6,
    });
  });

  it('makes new rows pending with a confirmation email unless consent is asserted', async () => {
    const res = await importCsv(a, 'email,topics,frequency,timezone,send_hour\nnew1@example.org,,,,\nnew2@example.org,llm,weekly,UTC,9\n');
    expect(res.json()).toMatchObject({ imported: 2, unchanged: 0, invalid: 0 });
    await a.drain();
    expect(a.mailer.sent.map((m) => m.to).sort()).toEqual(['new1@example.org', 'new2@example.org']);
    const rows = await queryRows<{ status: string; confirm_count: number }>(a.database.db, sql`SELECT status, confirm_count FROM subscribers`);
    expect(rows.every((r) => r.status === 'pending' && r.confirm_count === 1)).toBe(true);
    const audit = await queryRows<{ action: string; via: string }>(a.database.db, sql`SELECT action, via FROM audit_events`);
    expect(audit).toEqual([{ action: 'imported', via: 'import' }, { action: 'imported', via: 'import' }]);

    await importCsv(a, 'email,topics,frequency,timezone,send_hour\nok@example.org,,,,\n', true);
    const [active] = await queryRows<{ status: string; confirmed_at: Date | null }>(a.database.db, sql`SELECT status, confirmed_at FROM subscribers WHERE email = 'ok@example.org'`);
    expect(active!.status).toBe('active');
    expect(active!.confirmed_at).not.toBeNull();
    expect(a.mailer.sent).toHaveLength(2);
  });

  it('handles a BOM, quoted commas, quotes and newlines, and reports a bad row by line while the rest import', async () => {
    const csv =
      '\uFEFFemail,topics,frequency,timezone,send_hour\r\n' +
      'one@example.org,"llm;agents",daily,UTC,7\r\n' +
      '"two@example.org","vision",weekly,"Europe/Paris",8\r\n' +
      'not-an-address,,daily,UTC,7\r\n' +
      '"multi\nline@example.org",,daily,UTC,7\r\n' +
      'three@example.org,astrology,daily,UTC,7\r\n' +
      'four@example.org,,daily,Mars/Olympus,7\r\n' +
      'five@example.org,,daily,UTC,25\r\n' +
      'six@example.org,,daily\r\n' +
      '"seven, the@example.org",,daily,UTC,7\r\n' +
      'eight@example.org,,daily,UTC,7\r\n';
    const result = (await importCsv(a, csv, true)).json();
    expect(result.imported).toBe(3);
    expect(result.invalid).toBe(7);
    const lines = result.errors.map((e: { line: number }) => e.line);
    expect(lines).toEqual([4, 5, 7, 8, 9, 10, 11]);
    expect(result.errors[0].reason).toContain('email');
    expect(result.errors.find((e: { line: number }) => e.line === 7).reason).toContain('unknown topic');
    expect(result.errors.find((e: { line: number }) => e.line === 8).reason).toContain('time zone');
    expect(result.errors.find((e: { line: number }) => e.line === 10).reason).toContain('fields');
    expect((await prefs(a)).map((r) => r.email)).toEqual(['eight@example.org', 'one@example.org', 'two@example.org']);
  });

  it('says where an unclosed quote stopped the reading and what was not read, importing the rows before it', async () => {
    const after = Array.from({ length: 1000 }, (_, i) => `after-${i}@example.org,,daily,UTC,7`).join('\n');
    const csv = `email,topics,frequency,timezone,send_hour\nbefore@example.org,llm,daily,UTC,7\n\n"broken@example.org,llm,daily,UTC,7\n${after}\n`;
    const res = await importCsv(a, csv, true);
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ imported: 1, invalid: 0, unread: { fromLine: 4, toLine: 1004 } });
    expect(result.unread.reason).toMatch(/quote opened on line 4 is never closed.*lines 4–1004/);
    expect(result.errors).toEqual([{ line: 4, reason: result.unread.reason }]);
    expect((await prefs(a)).map((r) => r.email)).toEqual(['before@example.org']);
    // Fixed, the same file imports the rest; the row already there stays as it was.
    const fixed = (await importCsv(a, csv.replace('"broken', 'broken'), true)).json();
    expect(fixed).toMatchObject({ imported: 1001, unchanged: 1, invalid: 0, unread: null });
  });

  it('changes nothing on a second import of the same file', async () => {
    const csv = 'email,topics,frequency,timezone,send_hour\nsame@example.org,llm,daily,UTC,7\nSAME2@example.org,,weekly,UTC,7\nsame2@example.org,,daily,UTC,9\n';
    expect((await importCsv(a, csv)).json()).toMatchObject({ imported: 2, unchanged: 1, invalid: 0 });
    await a.drain();
    const before = await queryRows(a.database.db, sql`SELECT * FROM subscribers ORDER BY email`);
    const again = (await importCsv(a, csv)).json();
    expect(again).toMatchObject({ imported: 0, unchanged: 3, invalid: 0 });
    await a.drain();
    expect(await queryRows(a.database.db, sql`SELECT * FROM subscribers ORDER BY email`)).toEqual(before);
    expect(a.mailer.sent).toHaveLength(2);
  });

  it('refuses a file without a header or with unknown columns, importing nothing', async () => {
    const extra = await importCsv(a, 'email,topics,frequency,timezone,send_hour,phone\nx@example.org,,,,,123\n');
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('unknown column "phone"');
    const headless = await importCsv(a, 'x@example.org,llm,daily,UTC,7\n');
    expect(headless.statusCode).toBe(400);
    expect((await importCsv(a, '')).statusCode).toBe(400);
    expect(await prefs(a)).toEqual([]);
  });

  it('imports 50,000 rows', async () => {
    const lines = ['email,topics,frequency,timezone,send_hour'];
    for (let i = 0; i < 50_000; i++) lines.push(`bulk${i}@example.org,${i % 2 ? 'llm' : ''},${i % 7 ? 'daily' : 'weekly'},UTC,${i % 24}`);
    const res = await importCsv(a, `${lines.join('\n')}\n`, true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ imported: 50_000, unchanged: 0, invalid: 0 });
    const [count] = await queryRows<{ n: number }>(a.database.db, sql`SELECT count(*)::int AS n FROM subscribers WHERE status = 'active'`);
    expect(count!.n).toBe(50_000);
    const exported = await exportCsv(a);
    expect(exported.trim().split('\n')).toHaveLength(50_001);
  }, 120_000);
});
