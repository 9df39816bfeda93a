/**
 * Runs a plan's batches to the end inside this process: the embedded default's
 * sender and `paperboy send --wait` without Redis. Batches with 4xx failures
 * are retried with exponential backoff and jitter until their deliveries are
 * sent or out of attempts; when the relay does not answer, everything waits
 * and tries again, however long that takes, until `signal` aborts. A run
 * that got to its end is counted from the deliveries table and recorded in
 * `runs` (send-runs.ts); the totals returned are those counts.
 *
 * Each batch logs with the job id BullMQ would give it (`runId.firstDeliveryId`),
 * so the lines of a batch read the same in both modes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sendBatch } from '../delivery/send-batch.ts';
import type { JobContext } from './context.ts';
import { cachesForRuns } from './context.ts';
import type { PlanResult } from './processors.ts';
import { countDeliveries, recordSendRun } from './send-runs.ts';

export interface RunTotals {
  sent: number;
  skipped: number;
  failed: number;
}

const backoff = (base: number, attempt: number) => base * 2 ** attempt * (0.75 + Math.random() / 2);

/** Called after each try of a batch with the deliveries it settled (progress bars). */
export type OnBatch = (settled: number) => void;

export async function runBatchesInline(ctx: JobContext, plan: PlanResult, signal?: AbortSignal, onBatch?: OnBatch): Promise<RunTotals> {
  const caches = cachesForRuns(ctx)(plan.runId);
  const runLog = ctx.log.child({ job: 'send', runId: plan.runId });
  let log = runLog;
  for (const batch of plan.batches) {
    log = runLog.child({ jobId: `${plan.runId}.${batch[0]}` });
    const deps = { db: ctx.db, log, mailer: ctx.mailer, config: ctx.config, now: ctx.now, metrics: ctx.metrics?.send, ...caches };
    for (let attempt = 0; !signal?.aborted; ) {
      const outcome = await sendBatch(deps, batch);
      onBatch?.(outcome.sent + outcome.skipped + outcome.failed);
      if (outcome.relayDown) {
        log.warn('mail relay unavailable; waiting before trying again');
        await sleep(ctx.relayPauseMs ?? 30_000, undefined, { signal }).catch(() => {});
        continue;
      }
      if (!outcome.retry) break;
      await sleep(backoff(ctx.retryDelayMs ?? 30_000, attempt++), undefined, { signal }).catch(() => {});
    }
  }
  const { unfinished, ...totals } = await countDeliveries(ctx.db, plan.batches.flat());
  if (plan.batches.length && !signal?.aborted) {
    const { runId, startedAt = ctx.now(), batches } = plan;
    await recordSendRun(ctx.db, { runId, startedAt, planned: plan.planned.length, resumed: plan.resumed.length, batches: batches.length, ...totals, unfinished }, ctx.now());
    // As with BullMQ, the batch that ends the run says so.
    log.info({ ...totals, unfinished }, 'send run finished');
  }
  return totals;
}
