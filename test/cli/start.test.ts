/**
 * The newcomer's path: `paperboy start` with nothing configured runs on the
 * embedded database, loads the demo papers, serves the pages, writes mail to
 * the outbox, runs the planner in-process (every second here instead of every
 * 15 minutes) so a confirmed subscriber's first digest lands in the outbox,
 * and stops cleanly on SIGTERM. While it runs, every other command works on
 * the same data through the socket it serves, and a second `start` refuses.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, expect, it } from 'vitest';
import { runPaperboy, startPaperboy } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** `paperboy start` on DATA_DIR; resolves once it says it is running. */
async function start(dataDir: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const running = await startPaperboy(['start'], { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...extra }, { timeoutMs: 100_000 });
  return { ...running, port };
}

it('starts on PGlite with the demo papers, takes a subscription into the outbox, and exits 0 on SIGTERM', { timeout: 240_000 }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-start-'));
  dirs.push(dataDir);
  const { child, port, exited, output } = await start(dataDir, { PLAN_CRON: '* * * * * *' });
  const out = output();
  try {
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

it('while `start` runs, an import through the CLI is seen by the server and survives stopping; a second `start` refuses', { timeout: 240_000 }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-shared-'));
  dirs.push(dataDir);
  const admin = { ADMIN_TOKEN: 'a'.repeat(40) };
  const server = await start(dataDir, admin);
  const lookup = (email: string) =>
    fetch(`http://127.0.0.1:${server.port}/api/admin/subscribers?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${admin.ADMIN_TOKEN}` } });
  const cli = { DATA_DIR: dataDir, SECRET: '' };
  try {
    expect(server.output()).toMatch(/database: pglite at .* \(opened by this process, served on .* to the other paperboy commands\)/);
    const csv = path.join(dataDir, 'readers.csv');
    await writeFile(csv, 'email,topics\nwhile-running@example.org,llm\n');
    const imported = await runPaperboy(['subscribers', 'import', csv, '--confirmed'], cli);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stdout).toContain('imported 1');
    // The server answers from the same data, at once.
    const seen = await lookup('while-running@example.org');
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ email: 'while-running@example.org', status: 'active', topics: ['llm'] });
    // A write by the server is seen by the next command as well.
    expect((await fetch(`http://127.0.0.1:${server.port}/api/admin/subscribers/${((await (await lookup('while-running@example.org')).json()) as { id: string }).id}/suppress`, { method: 'POST', headers: { authorization: `Bearer ${admin.ADMIN_TOKEN}` } })).status).toBe(200);
    expect(JSON.parse((await runPaperboy(['subscribers', 'find', 'while-running@example.org'], cli)).stdout)).toMatchObject({ status: 'unsubscribed' });

    const second = await runPaperboy(['start'], { ...cli, PORT: String(await freePort()) });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(new RegExp(`paperboy is already running on ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${server.child.pid}\\); stop it first`));
    // The refused start changed nothing: the first still serves.
    expect((await lookup('while-running@example.org')).status).toBe(200);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await server.exited).toBe(0);
  // Stopped: the next command opens the folder itself and finds the row.
  const after = await runPaperboy(['subscribers', 'find', 'while-running@example.org'], cli);
  expect(after.code).toBe(0);
  expect(JSON.parse(after.stdout)).toMatchObject({ email: 'while-running@example.org' });
});
