/**
 * The compiled build (`npm run build` → dist/main.js), which the image runs:
 * built here as an operator builds it, then run as the image runs it — the
 * migrations found and applied on an empty database, the templates found
 * for a digest, and a pass sent through SMTP — and its email compared with
 * the one the command sends from source; then the web server, the image's
 * default command, serving its pages.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import { runPaperboy, startPaperboy } from '../helpers/cli.ts';
import { COMPILED_ENTRY } from '../helpers/entries.ts';
import { freePort } from '../helpers/ports.ts';
import { adminQuery, urlFor } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const exec = promisify(execFile);
const name = `paperboy_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const url = urlFor(name);
let sink: SmtpSink;
const env = () => ({ DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: 'https://papers.example.org' });

beforeAll(async () => {
  // An empty database, not the migrated template: the build must find its migrations.
  await adminQuery(`CREATE DATABASE ${name}`);
  sink = await startSmtpSink({});
  await exec('npm', ['run', 'build'], { maxBuffer: 16 * 1024 * 1024 });
}, 300_000);
afterAll(async () => {
  await sink?.close();
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

// Each step starts the CLI as its own process, and the build is a full type-check's work.
describe('the compiled build', { timeout: 120_000 }, () => {
  it('builds dist/main.js from src', () => {
    expect(existsSync(COMPILED_ENTRY)).toBe(true);
    expect(existsSync('dist/delivery/send-batch.js')).toBe(true);
  });

  it('migrates an empty database, loads papers and sends a digest the same as from source', async () => {
    const migrated = await runPaperboy(['migrate'], env(), COMPILED_ENTRY);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    const ingested = await runPaperboy(['ingest', '--file', 'seeds/papers.json'], env(), COMPILED_ENTRY);
    expect(ingested.code).toBe(0);

    const database = await openDatabase({ url, poolSize: 2 });
    try {
      const [tables] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('subscribers', 'deliveries', 'papers')`);
      expect(tables!.n).toBe(3);
      const [papers] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM papers`);
      expect(papers!.n).toBeGreaterThan(10);
      await database.db.insert(subscribers).values({ email: 'built@example.org', status: 'active', topics: ['llm'] });
    } finally {
      await database.close();
    }
    const built = await runPaperboy(['send', '--date', '2025-12-16', '--wait'], env(), COMPILED_ENTRY);
    expect(built.code).toBe(0);
    expect(built.stdout.trim()).toBe('planned 1 · sent 1 · skipped 0 · failed 0');
    const fromBuild = await sink.waitFor((m) => m.to[0] === 'built@example.org');
    expect(fromBuild.parsed.subject).toMatch(/^Daily Papers · Dec 16 — /);

    // A second reader of the same topics, sent the same day by the source: the same digest.
    const again = await openDatabase({ url, poolSize: 2 });
    try {
      await again.db.insert(subscribers).values({ email: 'source@example.org', status: 'active', topics: ['llm'] });
    } finally {
      await again.close();
    }
    const fromSource = await runPaperboy(['send', '--date', '2025-12-16', '--wait'], env());
    expect(fromSource.stdout.trim()).toBe('planned 1 · sent 1 · skipped 0 · failed 0');
    const source = await sink.waitFor((m) => m.to[0] === 'source@example.org');
    expect(fromBuild.parsed.subject).toBe(source.parsed.subject);
    // Word for word, but for each reader's own address and signed links.
    const general = (body: string) => body.replace(/https:\/\/papers\.example\.org\/[^\s"<>]+/g, '<link>').replace(/\b(built|source)@example\.org/g, '<reader>');
    const html = fromBuild.parsed.html as string;
    expect(html.match(/href="https:\/\/arxiv\.org\/search\//g)?.length).toBeGreaterThan(3);
    expect(general(html)).toBe(general(source.parsed.html as string));
    expect(general(fromBuild.parsed.text as string)).toBe(general(source.parsed.text as string));
  });

  it('serves the pages and answers /readyz, and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, exited } = await startPaperboy(['serve'], { DATABASE_URL: url, SECRET: 's'.repeat(40), PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port), LOG_LEVEL: 'warn' }, { entry: COMPILED_ENTRY });
    try {
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<title>Trending AI papers by email');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
