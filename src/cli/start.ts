/**
 * `paperboy start` (`npm start`): the newcomer's everything-in-one. Migrate,
 * load the demo papers into an empty database, then serve.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { runIngest } from '../papers/ingest-run.ts';
import { countPapers } from '../papers/queries.ts';
import { fileSource } from '../papers/sources/file-source.ts';
import { serve } from './serve.ts';

const SEEDS = fileURLToPath(new URL('../../seeds/papers.json', import.meta.url));

async function loadSeedsIfEmpty(database: Database, log: Logger): Promise<void> {
  if ((await countPapers(database.db)) > 0) return;
  const counts = await runIngest({ db: database.db, source: fileSource(SEEDS), days: [undefined], log });
  process.stdout.write(`loaded ${counts.new} demo papers from ${path.relative(process.cwd(), SEEDS) || SEEDS}\n`);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('migrate, load the demo papers into an empty database, and serve (what `npm start` runs)')
    .action(() => serve({ prepare: loadSeedsIfEmpty }));
}
