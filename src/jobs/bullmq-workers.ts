/**
 * BullMQ workers and schedulers: the distributed engine. Any number of worker
 * processes on any number of machines share the three queues; the schedulers
 * are upserted by every worker on start (idempotent: one schedule per id, kept
 * in Redis), so there is always exactly one hourly ingest and one planner tick.
 */
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { sendBatch } from '../delivery/send-batch.ts';
import type { JobContext } from './context.ts';
import { cachesForRuns } from './context.ts';
import { ingestJob, planJob } from './processors.ts';
import { createQueues, ingestPayload, planPayload, QUEUE, sendPayload, type Queues } from './queues.ts';

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix?: string;
  /** Upsert the cron schedulers (default true; tests drive jobs by hand). */
  schedule?: boolean;
  /** Send batches processed at once by this process. */
  sendConcurrency?: number;
}

export interface Workers {
  queues: Queues;
  workers: Worker[];
  /** Waits for in-flight jobs, then closes queues and connections. */
  close(): Promise<void>;
}

/** Adds a plan's batches to the send queue; job ids are stable per run and batch. */
export async function enqueueBatches(queues: Queues, runId: string, batches: string[][], opts: { retryDelayMs?: number } = {}): Promise<void> {
  const backoff = opts.retryDelayMs ? { backoff: { type: 'exponential', delay: opts.retryDelayMs, jitter: 0.5 } } : {};
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

export async function startWorkers(ctx: JobContext, opts: WorkerOptions): Promise<Workers> {
  const queues = createQueues({ connection: opts.connection, prefix: opts.prefix });
  const base = { connection: opts.connection, prefix: opts.prefix ?? 'paperboy' };
  const cachesFor = cachesForRuns(ctx);
  const { config, log } = ctx;

  if (opts.schedule ?? true) {
    await queues.ingest.upsertJobScheduler('ingest-hourly', { pattern: config.INGEST_CRON }, { name: 'ingest', data: {} });
    await queues.plan.upsertJobScheduler('plan', { pattern: config.PLAN_CRON }, { name: 'plan', data: {} });
  }

  const ingest = new Worker(QUEUE.ingest, async (job: Job) => ingestJob(ctx, ingestPayload.parse(job.data).days), { ...base, concurrency: 1 });

  const plan = new Worker(
    QUEUE.plan,
    async (job: Job) => {
      const result = await planJob(ctx, planPayload.parse(job.data).day);
      await enqueueBatches(queues, result.runId, result.batches, { retryDelayMs: ctx.retryDelayMs });
      return { runId: result.runId, planned: result.planned.length, resumed: result.resumed.length };
    },
    { ...base, concurrency: 1 },
  );

  const send = new Worker(
    QUEUE.send,
    async (job: Job) => {
      const { runId, deliveryIds } = sendPayload.parse(job.data);
      const outcome = await sendBatch(
        { db: ctx.db, log: log.child({ jobId: job.id }), mailer: ctx.mailer, config, now: ctx.now, ...cachesFor(runId) },
        deliveryIds,
      );
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
      concurrency: opts.sendConcurrency ?? 2,
      // The global cap: BullMQ's limiter counts jobs across all workers, so a
      // cap of R emails/s is R/batch jobs per second.
      ...(config.SEND_RATE_PER_SEC > 0
        ? { limiter: { max: 1, duration: Math.ceil((1000 * config.SEND_BATCH_SIZE) / config.SEND_RATE_PER_SEC) } }
        : {}),
    },
  );

  const workers = [ingest, plan, send];
  for (const w of workers) {
    w.on('failed', (job, err) => log.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => log.error({ queue: w.name, err }, 'worker error'));
  }
  return {
    queues,
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
    },
  };
}
