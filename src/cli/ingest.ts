import { Command, Option } from 'commander';
import { runIngest } from '../papers/ingest-run.ts';
import { daysBetween, monthsBetween, weeksBetween } from '../papers/periods.ts';
import { fileSource } from '../papers/sources/file-source.ts';
import { hfClientFromConfig, hfSourceFromConfig } from '../papers/sources/hf-from-config.ts';
import { WINDOW_DAYS } from '../digest/candidates.ts';
import { enrichWindow } from '../papers/enrich.ts';
import { withContext } from './context.ts';
import { parseDay, parseMonth, parseWeek, todayUtc } from './options.ts';
import { createProgress } from './progress.ts';

interface IngestOptions {
  date?: string;
  week?: string;
  month?: string;
  to?: string;
  file?: string;
}

/** The periods to fetch, or a one-line reason the options do not make sense. */
function periods(opts: IngestOptions, now: Date): (string | undefined)[] | string {
  if (opts.file) return [undefined];
  const first = opts.date ?? opts.week ?? opts.month;
  if (opts.to && !first) return 'error: --to needs --date, --week or --month';
  if (!first) return [todayUtc(new Date(now.getTime() - 86_400_000)), todayUtc(now)];
  const last = opts.to ?? first;
  const shape = opts.date ? /^\d{4}-\d{2}-\d{2}$/ : opts.week ? /^\d{4}-W\d{2}$/ : /^\d{4}-\d{2}$/;
  if (!shape.test(last)) return `error: --to must have the same form as ${opts.date ? '--date' : opts.week ? '--week' : '--month'} (${first})`;
  if (last < first) return 'error: --to is before the first period';
  return opts.date ? daysBetween(first, last) : opts.week ? weeksBetween(first, last) : monthsBetween(first, last);
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('fetch papers from Hugging Face Daily Papers (default: yesterday and today) or a file, and upsert them')
    .addOption(new Option('--date <YYYY-MM-DD>', 'first (or only) day to fetch').argParser(parseDay).conflicts(['file', 'week', 'month']))
    .addOption(new Option('--week <YYYY-Www>', 'first (or only) ISO week to fetch in one listing (backfill)').argParser(parseWeek).conflicts(['file', 'month']))
    .addOption(new Option('--month <YYYY-MM>', 'first (or only) month to fetch in one listing (backfill)').argParser(parseMonth).conflicts('file'))
    .addOption(new Option('--to <period>', 'last day, week or month to fetch, inclusive (backfill)'))
    .addOption(new Option('--file <path>', 'read a JSON array of Daily Papers entries instead'))
    .option('--no-enrich', "skip fetching each recent paper's own page")
    .action((opts: IngestOptions & { enrich: boolean }, cmd: Command) => {
      const list = periods(opts, new Date());
      if (typeof list === 'string') cmd.error(list);
      return withContext(async ({ config, log, database }) => {
        const client = hfClientFromConfig(config, log);
        const source = opts.file ? fileSource(opts.file) : hfSourceFromConfig(config, client, log);
        const progress = list.length > 1 || opts.week || opts.month ? createProgress(list.length, opts.week ? 'weeks' : opts.month ? 'months' : 'days') : null;
        const counts = await runIngest({ db: database.db, source, days: list, log, onDay: () => progress?.increment() });
        progress?.stop();
        console.log(
          `fetched ${counts.fetched} · new ${counts.new} · updated ${counts.updated} · unchanged ${counts.unchanged} · skipped ${counts.skipped}`,
        );
        if (!opts.file && opts.enrich) {
          const e = await enrichWindow(database.db, client, { now: new Date(), windowDays: Math.max(...Object.values(WINDOW_DAYS)), log });
          console.log(`enriched ${e.enriched} · failed ${e.failed} · fresh ${e.fresh}`);
        }
      });
    });
}
