/**
 * `paperboy start` (`npm start`): the newcomer's everything-in-one. Migrate,
 * load the demo papers into an empty database, then serve and run the jobs
 * in this one process.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { upsertPapers } from '../papers/ingest.ts';
import type { PaperInput } from '../papers/paper.ts';
import { countPapers } from '../papers/queries.ts';
import { fileSource } from '../papers/sources/file-source.ts';
import { serve } from './serve.ts';

const DAY_MS = 86_400_000;
const SEEDS = fileURLToPath(new URL('../../seeds/papers.json', import.meta.url));

/**
 * The demo papers are captured pages from months ago. Moved forward together
 * so the newest appeared on Daily Papers late yesterday (UTC), they make a
 * fresh install show trending papers and send a real first digest: a digest
 * is chosen from the days before its send time, whatever hour that is today.
 */
export function redateToYesterday(papers: PaperInput[], now: Date): PaperInput[] {
  const newest = Math.max(...papers.map((p) => p.dailyAt.getTime()));
  const lateYesterday = Math.floor(now.getTime() / DAY_MS) * DAY_MS - 3_600_000;
  const shift = lateYesterday - newest;
  return papers.map((p) => ({ ...p, dailyAt: new Date(p.dailyAt.getTime() + shift) }));
}

async function loadSeedsIfEmpty(database: Database, log: Logger): Promise<void> {
  if ((await countPapers(database.db)) > 0) return;
  const { papers, skipped } = await fileSource(SEEDS).fetch();
  for (const s of skipped) log.warn({ index: s.index, reason: s.reason }, 'skipped malformed demo paper');
  const counts = await upsertPapers(database.db, redateToYesterday(papers, new Date()));
  process.stdout.write(`loaded ${counts.new} demo papers from ${path.relative(process.cwd(), SEEDS) || SEEDS}, re-dated so the newest appeared yesterday\n`);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('migrate, load the demo papers into an empty database, serve, and run the jobs in-process (what `npm start` runs)')
    .action(() => serve({ prepare: loadSeedsIfEmpty, jobs: true }));
}
