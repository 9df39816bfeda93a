/**
 * `paperboy deliveries resend ID` and `paperboy deliveries rerun PERIOD`.
 * Without Redis the sending happens in this process and the command returns
 * when it is done; with Redis the workers get send jobs.
 */
import { Command } from 'commander';
import { createDispatcher, resendDelivery, rerunPeriod, type Dispatcher } from '../admin/dispatch.ts';
import type { JobContext } from '../jobs/context.ts';
import { createMailer } from '../mail/create-mailer.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { withContext, type CliContext } from './context.ts';

const describe = (d: string) =>
  ({ enqueued: 'handed to the workers', sent: 'sent', sending: 'sending', nothing: 'nothing to send' })[d] ?? d;

function withDispatcher(fn: (ctx: JobContext, d: Dispatcher) => Promise<void>) {
  return withContext(async ({ config, database, log }: CliContext) => {
    const mailer = createMailer(config);
    const ctx: JobContext = { config, db: database.db, log, mailer, secrets: loadSecrets(config), now: () => new Date() };
    const dispatcher = createDispatcher(ctx, { background: false });
    try {
      await fn(ctx, dispatcher);
    } finally {
      await dispatcher.close();
      await mailer.close();
    }
  });
}

export function registerDeliveries(program: Command): void {
  const cmd = program.command('deliveries').description('send failed deliveries again');
  cmd
    .command('resend')
    .description('put one failed delivery back in the queue and send it')
    .argument('<id>', 'the delivery id (see paperboy stats)')
    .action((id: string) =>
      withDispatcher(async (ctx, d) => {
        const r = await resendDelivery(ctx, d, id);
        console.log(`delivery ${r.deliveryId}: ${describe(r.dispatch)}`);
      }),
    );
  cmd
    .command('rerun')
    .description('re-run a period (YYYY-MM-DD or YYYY-Www) for every active subscriber it missed, failures included')
    .argument('<period>')
    .action((period: string) =>
      withDispatcher(async (ctx, d) => {
        const r = await rerunPeriod(ctx, d, period);
        console.log(`period ${r.period}: planned ${r.planned} · requeued ${r.requeued} · resumed ${r.resumed} · ${describe(r.dispatch)}`);
      }),
    );
}
