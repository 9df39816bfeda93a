import { Command, Option } from 'commander';
import { topPapers } from '../papers/queries.ts';
import { topicCounts } from '../papers/queries.ts';
import { topics, type Topic } from '../papers/topics.ts';
import { withContext } from './context.ts';
import { parseInstant, parseIntIn, parseTopic } from './options.ts';

interface TopOptions {
  topic?: Topic;
  days: number;
  limit: number;
  json?: boolean;
  now?: Date;
}

export function registerPapers(program: Command): void {
  const papers = program.command('papers').description('look at stored papers');
  papers
    .command('top')
    .description('print the trending ranking')
    .addOption(new Option('--topic <slug>', 'only papers with this topic').argParser(parseTopic))
    .addOption(new Option('--days <n>', 'papers from the last N days').argParser(parseIntIn(1, 365)).default(3))
    .addOption(new Option('--limit <n>', 'how many').argParser(parseIntIn(1, 1000)).default(10))
    .addOption(new Option('--now <iso>', 'rank as of this moment (default: now)').argParser(parseInstant))
    .option('--json', 'print a JSON array of { id, title, upvotes, topics, score }')
    .action((opts: TopOptions) =>
      withContext(async ({ config, database }) => {
        const rows = await topPapers(database.db, {
          now: opts.now ?? new Date(),
          gravity: config.TRENDING_GRAVITY,
          days: opts.days,
          limit: opts.limit,
          topics: opts.topic ? [opts.topic] : undefined,
        });
        if (opts.json) {
          const out = rows.map((r) => ({ id: r.id, title: r.title, upvotes: r.upvotes, topics: r.topics, score: r.score }));
          console.log(JSON.stringify(out, null, 2));
          return;
        }
        if (!rows.length) {
          console.log(`no papers in the last ${opts.days} day(s)${opts.topic ? ` for topic ${opts.topic}` : ''}`);
          return;
        }
        rows.forEach((r, i) => {
          console.log(`${String(i + 1).padStart(3)}. ${r.score.toFixed(4).padStart(9)}  ▲${String(r.upvotes).padEnd(4)} ${r.id}  ${r.title}`);
          if (r.topics.length) console.log(`${' '.repeat(22)}[${r.topics.join(', ')}]`);
        });
      }),
    );
}

export function registerTopics(program: Command): void {
  program
    .command('topics')
    .description('list the topic taxonomy with paper counts')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withContext(async ({ database }) => {
        const counts = await topicCounts(database.db);
        if (opts.json) {
          console.log(JSON.stringify(topics.map((t) => ({ slug: t.slug, label: t.label, papers: counts[t.slug] })), null, 2));
          return;
        }
        for (const t of topics) console.log(`${t.slug.padEnd(11)} ${String(counts[t.slug]).padStart(6)}  ${t.label}`);
      }),
    );
}
