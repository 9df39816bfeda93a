/**
 * BullMQ workers and schedulers: the distributed engine. Any number of worker
 * processes on any number of machines share the four queues; the schedulers
 * are upserted by every worker on start (idempotent: one schedule per id, kept
 * in Redis), so there is always exactly one hourly ingest, one planner tick
 * and one daily retention pass, and re-created by any worker that finds Redis
 * lost them (schedulers.ts).
 * Every job logs through a child logger carrying its queue and job id (and
 * the send run's id); delivery lines add the delivery id.
 */
import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sendBatch } from '../delivery/send-batch.ts';
import type { JobContext } from './context.ts';
import { cachesForRuns } from './context.ts';
import { ingestJob, planJobStreamed, retentionJob, type PlanJobOptions, type PlanResult, type PlanSummary } from './processors.ts';
import { createQueues, ingestPayload, planPayload, QUEUE, sendPayload, type Queues } from './queues.ts';
import { keepSchedulers, type SchedulerKeeper } from './schedulers.ts';
import { countDeliveries, growRunTally, openRunTally, recordSendRun, settleRunCounts, tallyBatch, type RunCounts } from './send-runs.ts';

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix?: string;
  /** Upsert the cron schedulers (default true; tests drive jobs by hand). */
  schedule?: boolean;
  /** Send batches processed at once by this process (default: enough to keep SEND_CONCURRENCY messages in flight). */
  sendConcurrency?: number;
}

export interface Workers {
  queues: Queues;
  workers: Worker[];
  /** The cron schedulers' keeper (schedulers.ts), when this process upserts them. */
  schedulers?: SchedulerKeeper;
  /** Waits for in-flight jobs, then closes queues and connections. */
  close(): Promise<void>;
}

/** Adds send jobs, one per batch; job ids are stable per run and batch. */
async function addSendJobs(queues: Queues, runId: string, batches: string[][], retryDelayMs?: number): Promise<void> {
  const backoff = retryDelayMs ? { backoff: { type: 'exponential', delay: retryDelayMs, jitter: 0.5 } } : {};
  // addBulk in chunks: one round trip per 500 jobs, never one huge Redis command.
  for (let i = 0; i < batches.length; i += 500) {
    await queues.send.addBulk(
      batches.slice(i, i + 500).map((deliveryIds) => ({
        name: 'send',
        data: { runId, deliveryIds },
        opts: { jobId: `${runId}.${deliveryIds[0]}`, ...backoff },
      })),
    );
  }
}

/**
 * Adds a plan's batches to the send queue. The run's tally is opened first,
 * so no batch can finish before it.
 */
export async function enqueueBatches(queues: Queues, plan: PlanResult, opts: { retryDelayMs?: number } = {}): Promise<void> {
  const { runId, batches } = plan;
  if (!batches.length) return;
  await openRunTally(queues.redis(), queues.prefix, {
    runId,
    startedAt: plan.startedAt ?? new Date(),
    planned: plan.planned.length,
    resumed: plan.resumed.length,
    batches: batches.length,
  });
  await addSendJobs(queues, runId, batches, opts.retryDelayMs);
}

/**
 * Closes the share of its send run of a batch done for good, with its
 * deliveries' states as they stand in Postgres, and, for the batch that
 * finishes the run, records the run. The tally keeps the job ids it has
 * closed, so closing a batch twice counts it once.
 */
async function closeBatch(ctx: JobContext, queues: Queues, jobLog: JobContext['log'], runId: string, jobId: string, counts: RunCounts) {
  const run = await tallyBatch(queues.redis(), queues.prefix, { runId, jobId, ...counts });
  if (!run) return;
  await recordSendRun(ctx.db, run, ctx.now());
  jobLog.info({ sent: run.sent, skipped: run.skipped, failed: run.failed, unfinished: run.unfinished, batches: run.batches }, 'send run finished');
}

/**
 * The plan job: plans chunk by chunk and enqueues each chunk's batches before
 * planning the next, so a million readers never sit in this process at once.
 * The total is unknown until planning ends, so the planner counts in the
 * run's tally as one more batch, closed when the last chunk is enqueued:
 * batches that finish early cannot end the run before it is whole.
 */
export async function planAndEnqueue(ctx: JobContext, queues: Queues, day?: string, opts: PlanJobOptions = {}): Promise<PlanSummary> {
  const redis = queues.redis();
  let opened = false;
  const summary = await planJobStreamed(
    ctx,
    async (batches, run) => {
      if (!opened) {
        await openRunTally(redis, queues.prefix, { ...run, batches: 1 });
        opened = true;
      }
      await growRunTally(redis, queues.prefix, run.runId, batches.length);
      await addSendJobs(queues, run.runId, batches, ctx.retryDelayMs);
    },
    day,
    opts,
  );
  if (opened) {
    await settleRunCounts(redis, queues.prefix, summary);
    await closeBatch(ctx, queues, ctx.log, summary.runId, `${summary.runId}.plan`, { sent: 0, skipped: 0, failed: 0, unfinished: 0 });
  }
  return summary;
}

export async function startWorkers(ctx: JobContext, opts: WorkerOptions): Promise<Workers> {
  const queues = createQueues({ connection: opts.connection, prefix: opts.prefix });
  const base = { connection: opts.connection, prefix: opts.prefix ?? 'paperboy' };
  const cachesFor = cachesForRuns(ctx);
  const { config, log } = ctx;

  // Upserted now and re-created whenever Redis loses them (schedulers.ts).
  const schedulers = (opts.schedule ?? true) ? await keepSchedulers(queues, { config, log, metrics: ctx.metrics }) : undefined;

  const jobCtx = (job: Job, queue: string): JobContext => ({ ...ctx, log: log.child({ job: queue, jobId: job.id }) });
  const ingest = new Worker(QUEUE.ingest, async (job: Job) => ingestJob(jobCtx(job, QUEUE.ingest), ingestPayload.parse(job.data).days), { ...base, concurrency: 1 });

  const plan = new Worker(
    QUEUE.plan,
    async (job: Job) => {
      const { day, resumeQueued } = planPayload.parse(job.data);
      const result = await planAndEnqueue(jobCtx(job, QUEUE.plan), queues, day, { resumeQueued });
      return { runId: result.runId, planned: result.planned, resumed: result.resumed };
    },
    { ...base, concurrency: 1 },
  );

  /**
   * Closes the share of its send run of a batch done for good, with its
   * deliveries' states as they stand in Postgres, and, for the batch that
   * finishes the run, records the run. The tally keeps the job ids it has
   * closed, so closing a batch twice counts it once.
   */
  const tally = async (jobLog: JobContext['log'], runId: string, jobId: string, deliveryIds: string[]) =>
    closeBatch(ctx, queues, jobLog, runId, jobId, await countDeliveries(ctx.db, deliveryIds));

  const send = new Worker(
    QUEUE.send,
    async (job: Job) => {
      const { runId, deliveryIds } = sendPayload.parse(job.data);
      const jobLog = log.child({ job: QUEUE.send, jobId: job.id, runId });
      const jobId = job.id ?? deliveryIds[0]!;
      // Done for good when this attempt completes, or fails and was the last one.
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // A throw ends here; if it was the last attempt, the `failed` handler below closes the batch.
      const outcome = await sendBatch(
        { db: ctx.db, log: jobLog, mailer: ctx.mailer, config, now: ctx.now, metrics: ctx.metrics?.send, ...cachesFor(runId) },
        deliveryIds,
      );
      jobLog.debug(
        { claimed: outcome.claimed, sent: outcome.sent, skipped: outcome.skipped, failed: outcome.failed, retry: outcome.retry, leaseLost: outcome.leaseLost },
        'send batch done',
      );
      // A relay outage does not use up an attempt: never final.
      if (!outcome.relayDown && (!outcome.retry || lastAttempt)) await tally(jobLog, runId, jobId, deliveryIds);
      if (outcome.relayDown) {
        // Not the recipients' fault: pause the whole queue, keep the job's attempts.
        await queues.send.rateLimit(ctx.relayPauseMs ?? 30_000);
        throw Worker.RateLimitError();
      }
      // BullMQ retries the job with backoff; only deliveries still queued are claimed again.
      if (outcome.retry) throw new Error(`${outcome.retry} deliveries got a temporary failure and will be retried`);
      return outcome;
    },
    {
      ...base,
      // Batches at once: twice what SEND_CONCURRENCY messages fill, so one is
      // being chosen and composed while the others send.
      concurrency: opts.sendConcurrency ?? Math.max(2, Math.ceil((2 * config.SEND_CONCURRENCY) / config.SEND_BATCH_SIZE)),
      // The global cap: BullMQ's limiter counts jobs across all workers, so a
      // cap of R emails/s is R/batch jobs per second.
      ...(config.SEND_RATE_PER_SEC > 0
        ? { limiter: { max: 1, duration: Math.ceil((1000 * config.SEND_BATCH_SIZE) / config.SEND_RATE_PER_SEC) } }
        : {}),
    },
  );
  // Every batch that fails for good ends its share of the run here: one whose
  // last attempt threw, and one BullMQ fails without running the processor
  // (it stalled more often than allowed: its workers died holding it), whose
  // deliveries stay queued for the next run. finishedOn is set only when the
  // job will not be retried.
  send.on('failed', (job) => {
    const data = sendPayload.safeParse(job?.data);
    if (!job?.finishedOn || !data.success) return;
    const jobLog = log.child({ job: QUEUE.send, jobId: job.id, runId: data.data.runId });
    tally(jobLog, data.data.runId, job.id ?? data.data.deliveryIds[0]!, data.data.deliveryIds).catch((err: unknown) =>
      jobLog.error({ err }, 'send run tally not closed'),
    );
  });

  const retention = new Worker(QUEUE.retention, async (job: Job) => retentionJob(jobCtx(job, QUEUE.retention)), { ...base, concurrency: 1 });

  const workers = [ingest, plan, send, retention];
  reportRedisOutages([queues.ingest, queues.plan, queues.send, queues.retention], queues.redis(), log);
  for (const w of workers) {
    w.on('failed', (job, err) => log.warn({ job: w.name, jobId: job?.id, runId: (job?.data as { runId?: string } | undefined)?.runId, err: err.message }, 'job failed'));
    w.on('error', (err) => log.error({ queue: w.name, err }, 'worker error'));
  }
  return {
    queues,
    workers,
    schedulers,
    async close() {
      await schedulers?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
    },
  };
}

/**
 * Redis going away is one warning, not a line per reconnect attempt (the
 * clients retry on their own; the workers' `error` events still log theirs):
 * the first connection error after a good spell is logged, the next once
 * the connection is back.
 */
function reportRedisOutages(queues: Queue[], redis: Redis, log: JobContext['log']): void {
  let down = false;
  const onError = (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, 'Redis connection lost; reconnecting');
  };
  for (const q of queues) q.on('error', onError);
  redis.on('error', onError);
  redis.on('ready', () => {
    if (down) log.info('Redis connection back');
    down = false;
  });
}
