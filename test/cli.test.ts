/**
 * The `paperboy` command as a user runs it: a child process, real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.ts';
import { runPaperboy } from './helpers/cli.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

const paperboy = (args: string[], env: Record<string, string> = {}) => runPaperboy(args, { DATABASE_URL: database.url, ...env });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

// Each step starts the CLI as its own process (1.5–2 s apiece here, more while
// other test files share the two cores): a longer guard than the default.
describe('paperboy CLI', { timeout: 120_000 }, () => {
  it('lists its commands', async () => {
    const r = await paperboy(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['migrate', 'ingest', 'papers', 'topics']) expect(r.stdout).toContain(c);
  });

  it('has --help on every command', async () => {
    for (const c of [['migrate'], ['ingest'], ['papers', 'top'], ['topics']]) {
      const r = await paperboy([...c, '--help']);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: paperboy');
    }
  });

  it('rejects unknown flags and bad values with one line', async () => {
    const unknown = await paperboy(['ingest', '--bogus']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim().split('\n')).toEqual(["error: unknown option '--bogus'"]);
    const bad = await paperboy(['ingest', '--date', '2025-02-30']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('YYYY-MM-DD');
    const topic = await paperboy(['papers', 'top', '--topic', 'astrology']);
    expect(topic.code).not.toBe(0);
    expect(topic.stderr).toContain('unknown topic');
  });

  it('fails at start-up naming every bad config key', async () => {
    const r = await paperboy(['migrate'], { PORT: 'x', LOG_LEVEL: 'chatty' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/LOG_LEVEL/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('migrates, ingests a file, and prints the ranking as JSON', async () => {
    expect((await paperboy(['migrate'])).code).toBe(0);
    const ingest = await paperboy(['ingest', '--file', 'test/fixtures/hf/2025-12-09.p0.json']);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain('fetched 12 · new 11 · updated 0 · unchanged 0 · skipped 1');
    const again = await paperboy(['ingest', '--file', 'test/fixtures/hf/2025-12-09.p0.json']);
    expect(again.stdout).toContain('new 0 · updated 0 · unchanged 11');

    const top = await paperboy(['papers', 'top', '--json', '--now', '2025-12-10T00:00:00Z', '--limit', '3']);
    expect(top.code).toBe(0);
    const rows = JSON.parse(top.stdout) as { id: string; title: string; upvotes: number; topics: string[]; score: number }[];
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!).sort()).toEqual(['id', 'score', 'title', 'topics', 'upvotes']);
    expect(rows[0]!.score).toBeGreaterThanOrEqual(rows[1]!.score);

    const topics = await paperboy(['topics', '--json']);
    const list = JSON.parse(topics.stdout) as { slug: string; papers: number }[];
    expect(list.map((t) => t.slug)).toContain('robotics');
    expect(list.reduce((n, t) => n + t.papers, 0)).toBeGreaterThan(0);
  });

  // Each run is a Node process with tsx; they run side by side to keep the test short.
  it('reports a failure in one plain line and exit 1: no class names, no stack', async () => {
    const [missing, folder, nobody, preview, down] = await Promise.all([
      paperboy(['ingest', '--file', 'nope.json']),
      paperboy(['ingest', '--file', 'src']),
      paperboy(['subscribers', 'find', 'nobody@example.org']),
      paperboy(['digest', 'preview', '--email', 'nobody@example.org', '--out', 'never-written.html']),
      paperboy(['stats'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    ]);
    expect(missing.stderr).toBe('paperboy: nope.json: no such file or folder; check the path\n');
    expect(folder.stderr).toBe('paperboy: src: that is a folder; give a file\n');
    expect(nobody.stderr).toBe('paperboy: no subscriber with the address nobody@example.org\n');
    expect(preview.stderr).toBe('paperboy: no subscriber with the address nobody@example.org\n');
    expect(down.stderr).toBe('paperboy: cannot connect to 127.0.0.1:1; check that the database (DATABASE_URL) or Redis (REDIS_URL) is running and the URL is right\n');
    for (const r of [missing, folder, nobody, preview, down]) expect(r.code).toBe(1);
  }, 90_000);

  it('adds the stack with --verbose (anywhere on the line) or LOG_LEVEL=debug', async () => {
    const runs = await Promise.all([
      paperboy(['ingest', '--file', 'nope.json', '--verbose']),
      paperboy(['--verbose', 'ingest', '--file', 'nope.json']),
      paperboy(['ingest', '--file', 'nope.json'], { LOG_LEVEL: 'debug' }),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => !l.startsWith('{')); // LOG_LEVEL=debug also logs JSON
      expect(lines[0]).toBe('paperboy: nope.json: no such file or folder; check the path');
      expect(r.stderr).toMatch(/^\s+at .*file-source\.ts/m);
    }
    expect((await paperboy(['--help'])).stdout).toContain('--verbose');
  }, 90_000);
});
