/**
 * The embedded default's job engine: the same ingest, plan and send jobs as
 * the BullMQ workers, on the same cron schedules, inside this process. One
 * plan-and-send pass runs at a time; a pass already running when the next tick
 * comes simply makes the tick wait. Every job logs with a `job` name and a
 * `jobId` (made up here, as BullMQ would give one), like the BullMQ workers.
 */
import { randomUUID } from 'node:crypto';
import { startCronTimer, type CronTimer } from './cron-timer.ts';
import type { JobContext } from './context.ts';
import { ingestJob, planJobStreamed, retentionJob } from './processors.ts';
import { startInlineRun, type InlineRun, type RunTotals } from './send-run.ts';

export interface InlineJobs {
  /** One plan-and-send pass now (for `day`, as if it were that day at each send hour). */
  sendPass(day?: string): Promise<RunTotals & { planned: number; resumed: number }>;
  stop(): Promise<void>;
}

/** The context of one job: its log lines carry its name and id. */
const jobCtx = (ctx: JobContext, job: 'ingest' | 'plan' | 'retention'): JobContext => ({ ...ctx, log: ctx.log.child({ job, jobId: `${job}-${randomUUID().slice(0, 8)}` }) });

export function startInlineJobs(ctx: JobContext, opts: { schedule?: boolean } = {}): InlineJobs {
  const abort = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  const sendPass = (day?: string) => {
    const pass = chain.then(async () => {
      // Streamed: each chunk's batches are sent before the next chunk is planned.
      let run: InlineRun | undefined;
      const plan = await planJobStreamed(jobCtx(ctx, 'plan'), async (batches, { runId }) => {
        run ??= startInlineRun(ctx, runId, abort.signal);
        for (const batch of batches) await run.send(batch);
      }, day);
      const totals = run ? await run.finish(plan) : { sent: 0, skipped: 0, failed: 0 };
      return { ...totals, planned: plan.planned, resumed: plan.resumed };
    });
    chain = pass.catch(() => {});
    return pass;
  };
  const timers: CronTimer[] =
    opts.schedule === false
      ? []
      : [
          startCronTimer('ingest', ctx.config.INGEST_CRON, () => ingestJob(jobCtx(ctx, 'ingest')), ctx.log),
          startCronTimer('plan', ctx.config.PLAN_CRON, () => sendPass(), ctx.log),
          startCronTimer('retention', ctx.config.RETENTION_CRON, () => retentionJob(jobCtx(ctx, 'retention')), ctx.log),
        ];
  return {
    sendPass,
    async stop() {
      abort.abort();
      await Promise.all(timers.map((t) => t.stop()));
      await chain;
    },
  };
}
