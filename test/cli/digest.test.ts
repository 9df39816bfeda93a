/** `paperboy digest preview` as a user runs it: a child process on a real Postgres. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribers } from '../../src/db/schema.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { makePaper } from '../helpers/papers.ts';
import { runPaperboy } from '../helpers/cli.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dir: string;

const paperboy = (args: string[]) =>
  runPaperboy(['digest', 'preview', ...args], { DATABASE_URL: database.url, PUBLIC_URL: 'https://papers.example.org' });

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'paperboy-preview-'));
  await upsertPapers(database.db, [
    makePaper({ id: '2512.20001', title: 'Large language model agents that plan', dailyAt: new Date('2025-12-15T10:00:00Z'), upvotes: 30 }),
    makePaper({ id: '2512.20002', title: 'Image segmentation at scale', dailyAt: new Date('2025-12-15T11:00:00Z'), upvotes: 50 }),
  ]);
  await database.db.insert(subscribers).values({ email: 'tokyo@example.org', status: 'active', topics: ['vision'], timezone: 'Asia/Tokyo', sendHour: 9 });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

// Each step starts the CLI as its own process (1.5–2 s apiece here, more while
// other test files share the two cores): a longer guard than the default.
describe('paperboy digest preview', { timeout: 120_000 }, () => {
  it('writes the email and its text part for a topic mix, as sent on that day', async () => {
    const out = path.join(dir, 'mix', 'digest.html');
    const r = await paperboy(['--topics', 'llm', '--keywords', 'segmentation', '--date', '2025-12-16', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Daily Papers · Dec 16 — Image segmentation at scale');
    const html = readFileSync(out, 'utf8');
    const text = readFileSync(path.join(dir, 'mix', 'digest.txt'), 'utf8');
    expect(html).toContain('https://huggingface.co/papers/2512.20001');
    expect(html).toMatch(/href="https:\/\/papers\.example\.org\/unsubscribe\?token=[\w-]+\.[\w-]+"/);
    expect(text).toContain('Mentions your keyword “segmentation”');
    expect(text).toMatch(/https:\/\/papers\.example\.org\/preferences\?token=[\w-]+\.[\w-]+/);
  });

  it('uses the stored subscriber for --email, at their hour in their zone', async () => {
    const out = path.join(dir, 'stored.html');
    const r = await paperboy(['--email', 'TOKYO@example.org', '--date', '2025-12-16', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('as of 2025-12-16T00:00:00.000Z');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('2512.20002');
    expect(html).not.toContain('2512.20001');
  });

  it('exits non-zero with one line on bad input', async () => {
    const cases = [
      [['--email', 'nobody@example.org', '--out', path.join(dir, 'x.html')], /no subscriber with the address nobody@example.org/],
      [['--out', path.join(dir, 'x.html')], /give --email ADDR or --topics a,b/],
      [['--topics', 'llm,nope', '--out', path.join(dir, 'x.html')], /unknown topic/],
      [['--topics', 'medical', '--date', '2025-12-16', '--out', path.join(dir, 'x.html')], /no email for 2025-12-16: no papers/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => paperboy([...args])));
    results.forEach((r, i) => {
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });
});
