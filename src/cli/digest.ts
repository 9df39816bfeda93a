/**
 * `paperboy digest preview`: writes the exact email a subscriber (or a
 * hypothetical one with a topic mix) would get on a day, as digest.html and
 * its text part as digest.txt beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { previewDigest, type PreviewInput } from '../digest/preview.ts';
import type { Topic } from '../papers/topics.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { withContext } from './context.ts';
import { parseDay, parseTopicList } from './options.ts';

interface PreviewOptions {
  email?: string;
  topics?: Topic[];
  keywords?: string[];
  date?: string;
  out: string;
}

function parseKeywords(value: string): string[] {
  const list = value.split(',').map((k) => k.trim()).filter(Boolean);
  if (!list.length || list.some((k) => k.length > 100)) throw new InvalidArgumentError('expected comma-separated phrases of up to 100 characters.');
  return list;
}

/** digest.html → digest.txt; anything else gets .txt appended. */
export function textPathFor(htmlPath: string): string {
  const ext = path.extname(htmlPath);
  return /^\.html?$/i.test(ext) ? htmlPath.slice(0, -ext.length) + '.txt' : `${htmlPath}.txt`;
}

export function registerDigest(program: Command): void {
  const digest = program.command('digest').description('look at the digest email');
  digest
    .command('preview')
    .description('write the email a subscriber would get on a day (HTML, and the text part beside it)')
    .addOption(new Option('--email <address>', 'a stored subscriber').conflicts(['topics', 'keywords']))
    .addOption(new Option('--topics <slugs>', 'a hypothetical subscriber of these topics (comma-separated)').argParser(parseTopicList))
    .addOption(new Option('--keywords <phrases>', 'and these keyword phrases (comma-separated)').argParser(parseKeywords))
    .addOption(new Option('--date <YYYY-MM-DD>', "the subscriber's local date (default: their today)").argParser(parseDay))
    .requiredOption('--out <file>', 'where to write the HTML, e.g. digest.html')
    .action(function (this: Command, opts: PreviewOptions) {
      if (!opts.email && !opts.topics) this.error('error: give --email ADDR or --topics a,b', { exitCode: 1 });
      return withContext(async ({ config, database }) => {
        const input: PreviewInput = opts.email
          ? { email: opts.email, date: opts.date }
          : { topics: opts.topics ?? [], keywords: opts.keywords ?? [], date: opts.date };
        const result = await previewDigest({ db: database.db, config, secrets: loadSecrets(config), now: new Date() }, input);
        if (result.kind === 'unknown-subscriber') throw new Error(`no subscriber with the address ${result.email}`);
        if (result.kind === 'skip') throw new Error(`no email for ${result.period.period}: ${result.reason}`);
        const txt = textPathFor(opts.out);
        mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
        writeFileSync(opts.out, result.email.html);
        writeFileSync(txt, result.email.text);
        console.log(`${result.email.subject}`);
        console.log(`to ${result.to}, ${result.email.paperIds.length} papers, as of ${result.period.asOf.toISOString()}: wrote ${opts.out} (${Math.round(Buffer.byteLength(result.email.html) / 1024)} KB) and ${txt}`);
      });
    });
}
