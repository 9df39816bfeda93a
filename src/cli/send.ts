/**
 * `paperboy send [--date D] [--wait]`: one plan-and-send pass now. Without
 * Redis the pass runs in this process (and so always waits); with Redis it is
 * handed to the workers, and --wait follows it in the database to the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { countByStatus } from '../delivery/progress.ts';
import { enqueueBatches } from '../jobs/bullmq-workers.ts';
import type { JobContext } from '../jobs/context.ts';
import { planJob } from '../jobs/processors.ts';
import { createQueues } from '../jobs/queues.ts';
import { runBatchesInline } from '../jobs/send-run.ts';
import { createMailer } from '../mail/create-mailer.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { withContext } from './context.ts';
import { parseDay, todayUtc } from './options.ts';
import { createProgress } from './progress.ts';

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('plan and send now: every active subscriber with no delivery for their period of day D (default today) gets one')
    .addOption(new Option('--date <YYYY-MM-DD>', 'send as if it were this day at each subscriber\'s hour').argParser(parseDay))
    .option('--wait', 'return when the pass is finished and print planned / sent / skipped / failed')
    .action((opts: { date?: string; wait?: boolean }) =>
      withContext(async ({ config, log, database }) => {
        const mailer = createMailer(config);
        const ctx: JobContext = { config, db: database.db, log, mailer, secrets: loadSecrets(config), now: () => new Date() };
        try {
          const plan = await planJob(ctx, opts.date ?? todayUtc());
          const ids = [...plan.planned, ...plan.resumed];
          if (!config.REDIS_URL) {
            const progress = ids.length ? createProgress(ids.length, 'deliveries') : null;
            await runBatchesInline(ctx, plan, undefined, (settled) => progress?.increment(settled));
            progress?.stop();
          } else {
            const queues = createQueues({ connection: { url: config.REDIS_URL, maxRetriesPerRequest: null }, prefix: config.REDIS_PREFIX });
            try {
              await enqueueBatches(queues, plan);
            } finally {
              await queues.close();
            }
            if (!opts.wait) {
              console.log(`planned ${plan.planned.length} · resumed ${plan.resumed.length} · handed to the workers in ${plan.batches.length} batches`);
              return;
            }
            const progress = ids.length ? createProgress(ids.length, 'deliveries') : null;
            for (let done = 0; ; ) {
              const c = await countByStatus(database.db, ids);
              const now = c.sent + c.skipped + c.failed;
              progress?.increment(now - done);
              done = now;
              if (c.queued + c.sending === 0) break;
              await sleep(500);
            }
            progress?.stop();
          }
          const c = await countByStatus(database.db, ids);
          console.log(`planned ${plan.planned.length} · sent ${c.sent} · skipped ${c.skipped} · failed ${c.failed}${c.queued + c.sending ? ` · still queued ${c.queued + c.sending}` : ''}`);
        } finally {
          await mailer.close();
        }
      }),
    );
}
