/**
 * The newcomer's path: `paperboy start` with nothing configured runs on the
 * embedded database, loads the demo papers, serves the pages, writes mail to
 * the outbox, runs the planner in-process (every second here instead of every
 * 15 minutes) so a confirmed subscriber's first digest lands in the outbox,
 * and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';

let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));


it('starts on PGlite with the demo papers, takes a subscription into the outbox, and exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-start-'));
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', PLAN_CRON: '* * * * * *' };
  const child = spawn(process.execPath, ['src/bin.js', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => out, { timeout: 45_000, interval: 200 }).toContain('paperboy is running');
    expect(out).toMatch(/loaded \d+ demo papers .*, re-dated so the newest appeared yesterday/);
    expect(out).toContain('jobs run in this process');
    expect(out).toContain(`open http://localhost:${port}/ in your browser`);
    expect(out).toContain(path.join(dataDir, 'outbox'));

    const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    // Re-dated demo papers: today's top papers, not a fallback to old ones.
    expect(home).toContain('Today’s top papers');
    expect(home).toContain('PaLI-3 Vision Language Models');
    const res = await fetch(`http://127.0.0.1:${port}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // Send hour 0 UTC: due at once, whatever time of day the test runs.
      body: 'email=newcomer%40example.org&topics=llm&sendHour=0&timezone=UTC',
    });
    expect(res.status).toBe(200);
    const outbox = path.join(dataDir, 'outbox');
    const emls = async () => (await readdir(outbox).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
    await expect.poll(async () => (await emls()).length, { timeout: 10_000 }).toBe(1);

    // Confirm as a person would: the link in the email, then the button (a POST).
    const confirmation = await simpleParser(await readFile(path.join(outbox, (await emls())[0]!)));
    const confirmUrl = /https?:\/\/\S+\/confirm\?token=[\w.-]+/.exec(confirmation.text ?? '')?.[0];
    expect(confirmUrl).toBeDefined();
    const token = new URL(confirmUrl!).searchParams.get('token')!;
    const confirmed = await fetch(`http://127.0.0.1:${port}/confirm?token=${token}`, { method: 'POST' });
    expect(confirmed.status).toBe(200);

    // The in-process planner picks the new subscriber up; the digest lands in the outbox.
    await expect.poll(async () => (await emls()).length, { timeout: 20_000 }).toBe(2);
    const files = await emls();
    const digestFile = files.find((f) => f !== files[0]) ?? files[1]!;
    const digest = await simpleParser(await readFile(path.join(outbox, digestFile)));
    expect(digest.subject).toMatch(/^Daily Papers · /);
    // Demo papers say so, and link to an arXiv title search rather than to another paper's page.
    expect(digest.text).toContain('These are demo papers');
    expect(digest.text).toContain('https://arxiv.org/search/?query=');
    expect(digest.text).not.toContain('https://huggingface.co/papers/');
    expect(digest.headerLines.some((h) => h.key === 'list-unsubscribe-post')).toBe(true);
    expect((await readdir(outbox)).some((f) => f === digestFile.replace(/\.eml$/, '.html'))).toBe(true);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
