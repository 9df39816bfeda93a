/**
 * Sends deliveries the operator put back in the queue, now rather than at the
 * planner's next tick: with Redis, as send jobs for the workers; without, in
 * this process (the CLI waits for it; the API runs it in the background and
 * waits for it on close). Resend and rerun share it.
 */
import { randomUUID } from 'node:crypto';
import { enqueueBatches } from '../jobs/bullmq-workers.ts';
import type { JobContext } from '../jobs/context.ts';
import { planJob, type PlanResult } from '../jobs/processors.ts';
import { chunk, createQueues, type Queues } from '../jobs/queues.ts';
import { runBatchesInline } from '../jobs/send-run.ts';
import { periodStartDay, requeueFailedDelivery, requeueFailedInPeriod } from './deliveries.ts';

export interface Dispatcher {
  /** 'enqueued' (workers will send), 'sent' (done here), 'sending' (running in the background). */
  dispatch(ids: string[]): Promise<'enqueued' | 'sent' | 'sending' | 'nothing'>;
  close(): Promise<void>;
}

export function createDispatcher(ctx: JobContext, opts: { background: boolean }): Dispatcher {
  const { config } = ctx;
  // Opened on first use: most API processes never resend anything.
  let queues: Queues | undefined;
  const queuesFor = (url: string) =>
    (queues ??= createQueues({ connection: { url, maxRetriesPerRequest: null }, prefix: config.REDIS_PREFIX }));
  const abort = new AbortController();
  const running = new Set<Promise<unknown>>();
  return {
    async dispatch(ids) {
      if (!ids.length) return 'nothing';
      const startedAt = ctx.now();
      const runId = `admin-${startedAt.toISOString()}-${randomUUID().slice(0, 8)}`;
      const plan: PlanResult = { runId, startedAt, planned: ids, resumed: [], batches: chunk(ids, config.SEND_BATCH_SIZE) };
      if (config.REDIS_URL) {
        await enqueueBatches(queuesFor(config.REDIS_URL), plan);
        return 'enqueued';
      }
      const run = runBatchesInline(ctx, plan, abort.signal);
      if (!opts.background) {
        await run;
        return 'sent';
      }
      const tracked = run.catch((err) => ctx.log.error({ err, runId }, 'admin send failed')).finally(() => running.delete(tracked));
      running.add(tracked);
      return 'sending';
    },
    async close() {
      // A relay outage would keep an inline run waiting forever: stop retrying, let sends in flight end.
      abort.abort();
      await Promise.all([...running]);
      await queues?.close();
    },
  };
}

export async function resendDelivery(ctx: JobContext, dispatcher: Dispatcher, id: string) {
  await requeueFailedDelivery(ctx.db, id, ctx.now());
  return { deliveryId: id, dispatch: await dispatcher.dispatch([id]) };
}

/**
 * Re-runs a period for everyone it missed: plans its day again (only active
 * subscribers without a delivery for the period get one; a date also plans
 * that week for weekly subscribers who have none) and re-queues its failures.
 */
export async function rerunPeriod(ctx: JobContext, dispatcher: Dispatcher, period: string) {
  const day = periodStartDay(period);
  const plan = await planJob(ctx, day);
  const requeued = await requeueFailedInPeriod(ctx.db, period, ctx.now());
  const ids = [...new Set([...plan.planned, ...plan.resumed, ...requeued])];
  return { period, planned: plan.planned.length, resumed: plan.resumed.length, requeued: requeued.length, dispatch: await dispatcher.dispatch(ids) };
}
