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
import type { PlanResult, PlanSummary } from './processors.ts';
import { countDeliveries, recordSendRun } from './send-runs.ts';

export interface RunTotals {
  sent: number;
  skipped: number;
  failed: number;
}

const backoff = (base: number, attempt: number) => base * 2 ** attempt * (0.75 + Math.random() / 2);

/** Called after each try of a batch with the deliveries it settled (progress bars). */
export type OnBatch = (settled: number) => void;

export interface InlineRun {
  /** Sends one batch to the end (retries and relay waits included). */
  send(batch: string[]): Promise<void>;
  /** Records the run (when it sent anything and was not aborted); its totals. */
  finish(counts: Pick<PlanSummary, 'planned' | 'resumed' | 'batches'> & { startedAt?: Date }): Promise<RunTotals>;
}

/** A send run in this process, fed batch by batch (a streamed plan feeds it chunk by chunk). */
export function startInlineRun(ctx: JobContext, runId: string, signal?: AbortSignal, onBatch?: OnBatch): InlineRun {
  const caches = cachesForRuns(ctx)(runId);
  const runLog = ctx.log.child({ job: 'send', runId });
  let log = runLog;
  // Each batch's deliveries as they stand in Postgres once it is done.
  const totals: RunTotals = { sent: 0, skipped: 0, failed: 0 };
  let unfinished = 0;
  return {
    async send(batch) {
      log = runLog.child({ jobId: `${runId}.${batch[0]}` });
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
      const c = await countDeliveries(ctx.db, batch);
      totals.sent += c.sent;
      totals.skipped += c.skipped;
      totals.failed += c.failed;
      unfinished += c.unfinished;
    },
    async finish(counts) {
      if (counts.batches && !signal?.aborted) {
        const { startedAt = ctx.now(), ...rest } = counts;
        await recordSendRun(ctx.db, { runId, startedAt, ...rest, ...totals, unfinished }, ctx.now());
        // As with BullMQ, the batch that ends the run says so.
        log.info({ ...totals, unfinished }, 'send run finished');
      }
      return totals;
    },
  };
}

export async function runBatchesInline(ctx: JobContext, plan: PlanResult, signal?: AbortSignal, onBatch?: OnBatch): Promise<RunTotals> {
  const run = startInlineRun(ctx, plan.runId, signal, onBatch);
  for (const batch of plan.batches) await run.send(batch);
  return run.finish({ startedAt: plan.startedAt, planned: plan.planned.length, resumed: plan.resumed.length, batches: plan.batches.length });
}
