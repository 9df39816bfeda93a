/**
 * `paperboy subscribers find|suppress|reactivate|erase EMAIL`,
 * `paperboy subscribers export [--out FILE]` and
 * `paperboy subscribers import FILE [--confirmed]`: the admin API's twins,
 * on the same src/admin functions, auditing as 'cli'.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { exportSubscribersCsv } from '../admin/csv-export.ts';
import { importSubscribers } from '../admin/csv-import.ts';
import { AdminError } from '../admin/errors.ts';
import { actOnSubscriber, eraseSubscriberById, findSubscriberByEmail } from '../admin/subscribers.ts';
import type { Db } from '../db/client.ts';
import { createMailer } from '../mail/create-mailer.ts';
import { createConfirmationSender } from '../subscribers/confirm-mail.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { withContext } from './context.ts';
import { createProgress } from './progress.ts';

async function byEmail(db: Db, email: string) {
  const found = await findSubscriberByEmail(db, email);
  if (!found) throw new AdminError(404, 'not_found', `no subscriber with the address ${email}`);
  return found;
}

export function registerSubscribers(program: Command): void {
  const cmd = program.command('subscribers').description('find, change, erase, export and import subscribers');

  cmd
    .command('find')
    .description('show one subscriber (JSON) by address, case-insensitive')
    .argument('<email>')
    .action((email: string) => withContext(async ({ database }) => console.log(JSON.stringify(await byEmail(database.db, email), null, 2))));

  for (const action of ['suppress', 'reactivate'] as const) {
    cmd
      .command(action)
      .description(action === 'suppress' ? 'stop all mail to this address (status unsubscribed)' : 'make a paused, unsubscribed or suppressed subscriber active again')
      .argument('<email>')
      .action((email: string) =>
        withContext(async ({ database }) => {
          const s = await actOnSubscriber(database.db, (await byEmail(database.db, email)).id, action, 'cli', new Date());
          console.log(`${s.email}: ${s.status}`);
        }),
      );
  }

  cmd
    .command('erase')
    .description('delete the subscriber with their deliveries and history')
    .argument('<email>')
    .action((email: string) =>
      withContext(async ({ database, log }) => {
        const s = await byEmail(database.db, email);
        await eraseSubscriberById(database.db, s.id);
        log.info({ subscriberId: s.id, action: 'erased', via: 'cli' }, 'subscriber erased');
        console.log(`${s.email}: erased`);
      }),
    );

  cmd
    .command('export')
    .description('write every subscriber as CSV (formula-like cells prefixed with \')')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((opts: { out?: string }) =>
      withContext(async ({ database }) => {
        await pipeline(Readable.from(exportSubscribersCsv(database.db)), opts.out ? createWriteStream(opts.out) : process.stdout);
      }),
    );

  cmd
    .command('import')
    .description('add subscribers from CSV (email,topics,frequency,timezone,send_hour); new ones get a confirmation email')
    .argument('<file>')
    .option('--confirmed', 'they already consented: add them as active, without a confirmation email')
    .action((file: string, opts: { confirmed?: boolean }) =>
      withContext(async ({ config, database, log }) => {
        const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new Error(`cannot read ${file}: ${err.code ?? err.message}`);
        });
        const mailer = createMailer(config);
        const confirmations = createConfirmationSender({ secrets: loadSecrets(config), publicUrl: config.publicUrl, mailer, log });
        // Lines after the header: the row count unless quoted fields hold newlines.
        const total = Math.max(text.split(/\r\n|\n|\r/).filter((l) => l.trim()).length - 1, 1);
        const progress = createProgress(total, 'rows');
        let shown = 0;
        try {
          const result = await importSubscribers({ db: database.db, now: () => new Date(), confirmations }, text, {
            confirmed: Boolean(opts.confirmed),
            onProgress: (rows) => {
              progress.increment(rows - shown);
              shown = rows;
            },
          });
          progress.stop();
          for (const e of result.errors) process.stderr.write(`line ${e.line}: ${e.reason}\n`);
          if (result.invalid > result.errors.length) process.stderr.write(`… and ${result.invalid - result.errors.length} more invalid rows\n`);
          console.log(`imported ${result.imported} · unchanged ${result.unchanged} · invalid ${result.invalid}`);
        } finally {
          await confirmations.drain();
          await mailer.close();
        }
      }),
    );
}
