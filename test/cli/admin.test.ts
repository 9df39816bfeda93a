/**
 * The admin commands as an operator runs them: child processes on a real
 * Postgres, mail to the outbox folder, sending in-process (no Redis).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { runPaperboy } from '../helpers/cli.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dir: string;

const paperboy = (args: string[]) =>
  runPaperboy(args, { DATABASE_URL: database.url, DATA_DIR: dir, PUBLIC_URL: 'https://papers.example.org' });

const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const outbox = () => readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'paperboy-admin-cli-'));
  await runIngest({ db: database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

// Each step starts the CLI as its own process (1.5–2 s apiece here, more while
// other test files share the two cores): a longer guard than the default.
describe('paperboy admin commands', { timeout: 120_000 }, () => {
  it('have --help', async () => {
    const groups = await Promise.all([['subscribers'], ['deliveries'], ['subscribers', 'import']].map((c) => paperboy([...c, '--help'])));
    for (const r of groups) expect(r.code).toBe(0);
    for (const c of ['find', 'suppress', 'reactivate', 'erase', 'export', 'import']) expect(groups[0]!.stdout).toContain(c);
    for (const c of ['resend', 'rerun']) expect(groups[1]!.stdout).toContain(c);
    expect(groups[2]!.stdout).toContain('--confirmed');
  });

  it('import, re-import, export, find, suppress, reactivate, erase', async () => {
    const csv = file('in.csv', '\uFEFFemail,topics,frequency,timezone,send_hour\nada@example.org,llm,daily,Europe/Berlin,8\nnot-an-address,,,,\n"=sum@example.org",,weekly,UTC,7\n');
    const first = await paperboy(['subscribers', 'import', csv]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported 2 · unchanged 0 · invalid 1');
    expect(first.stderr).toContain('line 3: email');
    expect(first.stderr).toMatch(/rows: \d+\/3/); // plain progress lines off a terminal
    expect(outbox()).toHaveLength(2); // confirmation emails
    const again = await paperboy(['subscribers', 'import', csv, '--confirmed']);
    expect(again.stdout).toContain('imported 0 · unchanged 2 · invalid 1');
    expect(outbox()).toHaveLength(2);

    const out = path.join(dir, 'out.csv');
    expect((await paperboy(['subscribers', 'export', '--out', out])).code).toBe(0);
    const exported = readFileSync(out, 'utf8');
    expect(exported.split('\n')[0]).toBe('email,status,topics,keywords,frequency,timezone,send_hour,created_at,confirmed_at');
    expect(exported).toContain("'=sum@example.org,pending,,,weekly,UTC,7,");

    const found = await paperboy(['subscribers', 'find', 'ADA@example.org']);
    expect(JSON.parse(found.stdout)).toMatchObject({ email: 'ada@example.org', status: 'pending', timezone: 'Europe/Berlin', sendHour: 8 });
    expect((await paperboy(['subscribers', 'suppress', 'ada@example.org'])).stdout.trim()).toBe('ada@example.org: unsubscribed');
    expect((await paperboy(['subscribers', 'reactivate', 'ada@example.org'])).stdout.trim()).toBe('ada@example.org: active');
    const audit = await queryRows<{ action: string; via: string }>(database.db, sql`
      SELECT a.action, a.via FROM audit_events a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.email = 'ada@example.org' ORDER BY a.id`);
    expect(audit).toEqual([{ action: 'imported', via: 'import' }, { action: 'suppressed', via: 'cli' }, { action: 'reactivated', via: 'cli' }]);
    expect((await paperboy(['subscribers', 'erase', '=sum@example.org'])).stdout.trim()).toBe('=sum@example.org: erased');
    expect((await paperboy(['subscribers', 'find', '=sum@example.org'])).code).toBe(1);
  });

  it('re-runs a day and resends a failed delivery, in this process', async () => {
    await paperboy(['subscribers', 'import', file('ok.csv', 'email,topics,frequency,timezone,send_hour\nbob@example.org,,daily,UTC,7\n'), '--confirmed']);
    const rerun = await paperboy(['deliveries', 'rerun', '2025-12-16']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/^period 2025-12-16: planned 2 · requeued 0 · resumed 0 · sent$/m);
    const [row] = await queryRows<{ id: string; status: string }>(database.db, sql`
      SELECT d.id, d.status FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = 'bob@example.org'`);
    expect(row!.status).toBe('sent');
    const mails = outbox().length;

    await database.db.execute(sql`UPDATE deliveries SET status = 'failed', reason = '550 test' WHERE id = ${row!.id}`);
    const [json, text] = await Promise.all([paperboy(['stats', '--json']), paperboy(['stats'])]);
    expect(JSON.parse(json.stdout).recentFailures[0]).toMatchObject({ deliveryId: row!.id, email: 'bob@example.org', reason: '550 test' });
    expect(text.stdout).toContain(`${row!.id}  bob@example.org  2025-12-16  550 test`);

    const resend = await paperboy(['deliveries', 'resend', row!.id]);
    expect(resend.stdout.trim()).toBe(`delivery ${row!.id}: sent`);
    expect(outbox()).toHaveLength(mails + 1);
    const again = await paperboy(['deliveries', 'resend', row!.id]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('only failed deliveries can be resent');
  });

  it('answers bad input with one line and a non-zero exit', async () => {
    const cases = [
      ['deliveries', 'rerun', '2025-02-30'],
      ['deliveries', 'resend', 'nope'],
      ['subscribers', 'find', 'ghost@example.org'],
      ['subscribers', 'import', path.join(dir, 'missing.csv')],
      ['subscribers', 'import', file('bad.csv', 'email,phone\nx@example.org,1\n')],
      ['subscribers', 'bogus'],
      ['subscribers', 'find'],
    ];
    const results = await Promise.all(cases.map((c) => paperboy(c)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), cases[i]!.join(' ')).toHaveLength(1);
    });
  });
});
