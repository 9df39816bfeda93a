/**
 * Finished send runs, recorded in `runs` (kind 'send') for "last completed
 * send run" and the admin page. A run is one plan-and-send pass: the
 * deliveries one planner tick created or resumed, in batches.
 *
 * The figures are read from the deliveries table, not added up from what
 * each attempt reported: an attempt killed after its emails left never
 * reports, and its re-run finds nothing left to claim, so summed reports
 * undercount after a crash. When a batch is done for good, the states of its
 * deliveries are counted: sent, skipped, failed, and `unfinished` (still
 * queued or sending then: left for a later run, which counts them again).
 *
 * In-process, the runner counts and records the run when its last batch is
 * done. With BullMQ the batches finish on any worker, in any order: the run's
 * tally lives in Redis (a hash under the queue prefix, with a TTL), each batch
 * adds its counts once (a set of finished job ids, so a job re-run after a
 * crash is not counted twice), and the batch that brings the count to zero
 * writes the row. A run that planned nothing writes no row. A run whose tally
 * Redis lost writes none either; its deliveries go out in a later run.
 */
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';
import { countByStatus } from '../delivery/progress.ts';

export interface SendRunStats {
  runId: string;
  startedAt: Date;
  planned: number;
  resumed: number;
  batches: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Still queued or sending when their batch finished: left for a later run. */
  unfinished: number;
}

export type RunCounts = Pick<SendRunStats, 'sent' | 'skipped' | 'failed' | 'unfinished'>;

/** Where the deliveries `ids` stand now, as a run's figures (in chunks: a run can hold a million). */
export async function countDeliveries(db: Db, ids: readonly string[]): Promise<RunCounts> {
  const out: RunCounts = { sent: 0, skipped: 0, failed: 0, unfinished: 0 };
  for (let i = 0; i < ids.length; i += 10_000) {
    const c = await countByStatus(db, ids.slice(i, i + 10_000));
    out.sent += c.sent;
    out.skipped += c.skipped;
    out.failed += c.failed;
    out.unfinished += c.queued + c.sending;
  }
  return out;
}

/** Inserts the run's row unless one exists for this run id already (exactly once). */
export async function recordSendRun(db: Db, run: SendRunStats, finishedAt = new Date()): Promise<void> {
  const { runId, startedAt, ...counts } = run;
  const stats = JSON.stringify({ runId, ...counts });
  await db.execute(sql`
    INSERT INTO runs (kind, started_at, finished_at, stats)
    SELECT 'send', ${startedAt.toISOString()}::timestamptz, ${finishedAt.toISOString()}::timestamptz, ${stats}::jsonb
    WHERE NOT EXISTS (SELECT 1 FROM runs WHERE kind = 'send' AND stats->>'runId' = ${runId})`);
}

/** Long enough for any retry schedule; refreshed by every batch. */
const TALLY_TTL_SECONDS = 7 * 86_400;

// Braces: both keys of a run hash to one slot, so the script also runs on a Redis Cluster.
const keysOf = (prefix: string, runId: string) => [`${prefix}:send-run:{${runId}}`, `${prefix}:send-run:{${runId}}:done`];

export async function openRunTally(redis: Redis, prefix: string, run: Pick<SendRunStats, 'runId' | 'startedAt' | 'planned' | 'resumed' | 'batches'>): Promise<void> {
  const [tally] = keysOf(prefix, run.runId);
  await redis
    .multi()
    .hset(tally!, {
      startedAt: run.startedAt.toISOString(),
      planned: run.planned,
      resumed: run.resumed,
      batches: run.batches,
      remaining: run.batches,
      sent: 0,
      skipped: 0,
      failed: 0,
      unfinished: 0,
    })
    .expire(tally!, TALLY_TTL_SECONDS)
    .exec();
}

/** A run enqueued chunk by chunk: `n` more batches to wait for. */
export async function growRunTally(redis: Redis, prefix: string, runId: string, n: number): Promise<void> {
  const [tally] = keysOf(prefix, runId);
  await redis.multi().hincrby(tally!, 'remaining', n).expire(tally!, TALLY_TTL_SECONDS).exec();
}

/** The run's final counts, once its planner knows them. */
export async function settleRunCounts(redis: Redis, prefix: string, run: Pick<SendRunStats, 'runId' | 'planned' | 'resumed' | 'batches'>): Promise<void> {
  const [tally] = keysOf(prefix, run.runId);
  await redis.hset(tally!, { planned: run.planned, resumed: run.resumed, batches: run.batches });
}

const TALLY_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return nil end
redis.call('HINCRBY', KEYS[1], 'sent', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'skipped', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'failed', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'unfinished', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
if redis.call('HINCRBY', KEYS[1], 'remaining', -1) > 0 then return nil end
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return all`;

/**
 * Adds a batch done for good (completed, or failed its last attempt) to its
 * run, with its deliveries' counts (countDeliveries); a batch already added
 * adds nothing. Returns the run's totals to the one batch that finishes the
 * run, undefined to every other.
 */
export async function tallyBatch(redis: Redis, prefix: string, batch: { runId: string; jobId: string } & RunCounts): Promise<SendRunStats | undefined> {
  const keys = keysOf(prefix, batch.runId);
  const args = [batch.jobId, batch.sent, batch.skipped, batch.failed, batch.unfinished, TALLY_TTL_SECONDS];
  const flat = (await redis.eval(TALLY_SCRIPT, 2, ...keys, ...args)) as string[] | null;
  if (!flat) return undefined;
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const n = (k: string) => Number(h[k] ?? 0);
  return {
    runId: batch.runId,
    startedAt: new Date(h.startedAt ?? Date.now()),
    planned: n('planned'),
    resumed: n('resumed'),
    batches: n('batches'),
    sent: n('sent'),
    skipped: n('skipped'),
    failed: n('failed'),
    unfinished: n('unfinished'),
  };
}
