import { Command, Option } from 'commander';
import { daysBetween, runIngest } from '../papers/ingest-run.ts';
import { fileSource } from '../papers/sources/file-source.ts';
import { hfDailySource } from '../papers/sources/hf-daily.ts';
import { withContext } from './context.ts';
import { parseDay, todayUtc } from './options.ts';
import { createProgress } from './progress.ts';

interface IngestOptions {
  date?: string;
  to?: string;
  file?: string;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('fetch papers from Hugging Face Daily Papers (default: yesterday and today) or a file, and upsert them')
    .addOption(new Option('--date <YYYY-MM-DD>', 'first (or only) day to fetch').argParser(parseDay).conflicts('file'))
    .addOption(new Option('--to <YYYY-MM-DD>', 'last day to fetch, inclusive (backfill)').argParser(parseDay))
    .addOption(new Option('--file <path>', 'read a JSON array of Daily Papers entries instead'))
    .action((opts: IngestOptions, cmd: Command) => {
      if (opts.to && !opts.date) cmd.error('error: --to needs --date');
      if (opts.to && opts.date && opts.to < opts.date) cmd.error('error: --to is before --date');
      return withContext(async ({ config, log, database }) => {
        const source = opts.file
          ? fileSource(opts.file)
          : hfDailySource({ baseUrl: config.HF_API_URL, timeoutMs: config.HF_TIMEOUT_MS, retries: config.HF_RETRIES });
        const today = todayUtc();
        const yesterday = todayUtc(new Date(Date.now() - 86_400_000));
        const days = opts.file ? [undefined] : opts.date ? daysBetween(opts.date, opts.to ?? opts.date) : [yesterday, today];
        const progress = days.length > 1 ? createProgress(days.length, 'days') : null;
        const counts = await runIngest({ db: database.db, source, days, log, onDay: () => progress?.increment() });
        progress?.stop();
        console.log(
          `fetched ${counts.fetched} · new ${counts.new} · updated ${counts.updated} · unchanged ${counts.unchanged} · skipped ${counts.skipped}`,
        );
      });
    });
}
