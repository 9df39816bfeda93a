/**
 * `paperboy start` (`npm start`): the newcomer's everything-in-one. Migrate,
 * load the demo papers into an empty database, then serve and run the jobs
 * in this one process.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { upsertPapers } from '../papers/ingest.ts';
import { DEMO_SEEDS, redateStaleDemo, redateToYesterday } from '../papers/demo.ts';
import { countPapers } from '../papers/queries.ts';
import { fileSource } from '../papers/sources/file-source.ts';
import { serve } from './serve.ts';

async function loadSeedsIfEmpty(database: Database, log: Logger): Promise<void> {
  if ((await countPapers(database.db)) > 0) {
    // Days later, or after `ingest --file seeds/papers.json`, the demo papers are stale: move them forward again.
    const moved = await redateStaleDemo(database.db, new Date());
    if (moved) process.stdout.write(`moved ${moved} demo papers forward so the newest appeared yesterday\n`);
    return;
  }
  const { papers, skipped } = await fileSource(DEMO_SEEDS).fetch();
  for (const s of skipped) log.warn({ index: s.index, reason: s.reason }, 'skipped malformed demo paper');
  const counts = await upsertPapers(database.db, redateToYesterday(papers, new Date()));
  process.stdout.write(`loaded ${counts.new} demo papers from ${path.relative(process.cwd(), DEMO_SEEDS) || DEMO_SEEDS}, re-dated so the newest appeared yesterday\n`);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('migrate, load the demo papers into an empty database, serve, and run the jobs in-process (what `npm start` runs)')
    .action(() => serve({ prepare: loadSeedsIfEmpty, jobs: true }));
}
