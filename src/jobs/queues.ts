/**
 * Queue names, job payloads (validated with zod when a worker picks them up:
 * Redis is outside the process) and the BullMQ queues themselves.
 *
 *   ingest  hourly: fetch today's and yesterday's Daily Papers
 *   plan    every 15 min: create due deliveries, enqueue them in batches
 *   send    one job per batch of ~100 deliveries
 *   retention  daily: prune old deliveries and ledger rows
 */
import { Queue, type ConnectionOptions, type JobsOptions, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { SEND_ATTEMPTS } from '../delivery/send-batch.ts';

export const QUEUE = { ingest: 'ingest', plan: 'plan', send: 'send', retention: 'retention' } as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const ingestPayload = z.strictObject({ days: z.array(day).max(366).optional() });
/** `resumeQueued`: also resume queued deliveries of any age (after Redis lost their jobs, schedulers.ts). */
export const planPayload = z.strictObject({ day: day.optional(), resumeQueued: z.boolean().optional() });
export const sendPayload = z.strictObject({ runId: z.string().min(1).max(100), deliveryIds: z.array(z.uuid()).min(1).max(10_000) });
export type IngestPayload = z.infer<typeof ingestPayload>;
export type PlanPayload = z.infer<typeof planPayload>;
export type SendPayload = z.infer<typeof sendPayload>;

export interface QueueOptions {
  connection: ConnectionOptions;
  /** Redis key prefix; tests use a fresh one each. */
  prefix?: string;
}

export interface Queues {
  ingest: Queue;
  plan: Queue;
  send: Queue;
  retention: Queue;
  /** The Redis key prefix of the queues. */
  prefix: string;
  /** A plain connection (opened on first use) for our own keys beside the queues: send-run tallies. */
  redis(): Redis;
  close(): Promise<void>;
}

function connect(c: ConnectionOptions): Redis {
  if (c instanceof Redis) return c.duplicate();
  const { url, ...rest } = c as RedisOptions;
  return url ? new Redis(url, rest) : new Redis(rest);
}

/**
 * Send jobs retry transient failures with exponential backoff and jitter. The
 * deliveries count their own attempts and give up after SEND_ATTEMPTS; the
 * job allows a little more, so the last delivery attempt always gets to run.
 */
export const SEND_JOB_OPTIONS: JobsOptions = {
  attempts: SEND_ATTEMPTS + 2,
  backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

export function createQueues(opts: QueueOptions): Queues {
  const base = { connection: opts.connection, prefix: opts.prefix ?? 'paperboy' };
  const defaults = { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } };
  const ingest = new Queue(QUEUE.ingest, { ...base, defaultJobOptions: { ...defaults, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } });
  const plan = new Queue(QUEUE.plan, { ...base, defaultJobOptions: { ...defaults, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } } });
  const send = new Queue(QUEUE.send, { ...base, defaultJobOptions: SEND_JOB_OPTIONS });
  const retention = new Queue(QUEUE.retention, { ...base, defaultJobOptions: { ...defaults, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } });
  let redis: Redis | undefined;
  return {
    ingest,
    plan,
    send,
    retention,
    prefix: base.prefix,
    redis: () => (redis ??= connect(opts.connection)),
    close: async () => {
      await Promise.all([ingest.close(), plan.close(), send.close(), retention.close(), redis?.quit()]);
    },
  };
}

/** Splits ids into batches of `size`, keeping order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
