/**
 * `paperboy ingest --week` / `--month` as a user runs them: a child process
 * against the stand-in Hugging Face server, real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaperboy } from '../helpers/cli.ts';
import { startFakeHfApi, type FakeHfApi } from '../helpers/hf-server.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

let api: FakeHfApi;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const TOKEN = 'hf_cliTokenValue00000000000000';
const paperboy = (args: string[]) => runPaperboy(args, { DATABASE_URL: database.url, HF_API_URL: api.url, HF_TOKEN: TOKEN, LOG_LEVEL: 'info' });

beforeAll(async () => {
  [api, database] = await Promise.all([startFakeHfApi(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([api.close(), database.drop()]);
});

describe('paperboy ingest backfills', () => {
  it('--week fetches one ISO week by the week parameter, with progress', async () => {
    const r = await paperboy(['ingest', '--week', '2025-W50', '--no-enrich']);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('fetched 119 · new 115 · updated 0 · unchanged 3 · skipped 1');
    expect(r.stderr).toMatch(/weeks: 1\/1/);
    expect(api.requests.every((q) => q.startsWith('/api/daily_papers?week=2025-W50&'))).toBe(true);
    expect(api.recorded.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('--month with --to fetches each month once, then enriches the window', async () => {
    const before = api.requests.length;
    const r = await paperboy(['ingest', '--month', '2025-11', '--to', '2025-12']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fetched 119 · new 0 · updated 0 · unchanged 118 · skipped 1');
    expect(r.stdout).toMatch(/enriched \d+ · failed 0 · fresh \d+/);
    expect(r.stderr).toMatch(/months: 2\/2/);
    const listed = api.requests.slice(before).filter((q) => q.startsWith('/api/daily_papers'));
    expect(listed.filter((q) => q.includes('month=2025-11'))).toHaveLength(1);
    expect(listed.filter((q) => q.includes('month=2025-12'))).toHaveLength(4);
  });

  it('refuses a malformed week or a --to of another form, in one line', async () => {
    const week = await paperboy(['ingest', '--week', '2025-50']);
    expect(week.code).not.toBe(0);
    expect(week.stderr.trim().split('\n')).toEqual([expect.stringContaining('YYYY-Www')]);
    const to = await paperboy(['ingest', '--week', '2025-W50', '--to', '2025-12']);
    expect(to.code).not.toBe(0);
    expect(to.stderr.trim().split('\n')).toEqual([expect.stringContaining('--to must have the same form as --week')]);
  });
});
