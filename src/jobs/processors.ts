/**
 * The jobs themselves, free of any queue: BullMQ workers (worker.ts) and the
 * embedded runner (inline-runner.ts) both call these.
 */
import { randomUUID } from 'node:crypto';
import { findStalledDeliveries, planDeliveryChunks, sendBatchesOf } from '../delivery/plan.ts';
import { pruneDeliveries, type RetentionCounts } from '../delivery/retention.ts';
import { WINDOW_DAYS } from '../digest/candidates.ts';
import { runIngest, type IngestCounts } from '../papers/ingest-run.ts';
import { enrichWindow } from '../papers/enrich.ts';
import { hfClientFromConfig, hfSourceFromConfig } from '../papers/sources/hf-from-config.ts';
import { chunk } from './queues.ts';
import type { JobContext } from './context.ts';

const DAY_MS = 86_400_000;
const utcDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The ledger covers each frequency's candidate window, and a day's margin for late sends. */
const LEDGER_DAYS = { daily: WINDOW_DAYS.daily + 1, weekly: WINDOW_DAYS.weekly + 1 };

/** Daily: finished deliveries past DELIVERY_RETENTION_DAYS, ledger rows past their window. */
export async function retentionJob(ctx: JobContext): Promise<RetentionCounts> {
  const counts = await pruneDeliveries(ctx.db, { now: ctx.now(), retentionDays: ctx.config.DELIVERY_RETENTION_DAYS, ledgerDays: LEDGER_DAYS });
  ctx.log.info({ ...counts, retentionDays: ctx.config.DELIVERY_RETENTION_DAYS }, 'old deliveries pruned');
  return counts;
}

/** Yesterday and today (UTC) by default: refreshes upvotes of papers still trending. */
export async function ingestJob(ctx: JobContext, days?: string[]): Promise<IngestCounts> {
  const now = ctx.now().getTime();
  // One client: the listing and the per-paper enrichment share its rate budget.
  const client = hfClientFromConfig(ctx.config, ctx.log);
  const source = hfSourceFromConfig(ctx.config, client, ctx.log, ctx.now);
  const counts = await runIngest({ db: ctx.db, source, days: days ?? [utcDay(now - DAY_MS), utcDay(now)], log: ctx.log });
  // Enrichment failing never fails the ingest: cards stay as the listing left them.
  await enrichWindow(ctx.db, client, { now: ctx.now(), windowDays: Math.max(...Object.values(WINDOW_DAYS)), log: ctx.log }).catch(
    (err: unknown) => ctx.log.warn({ err }, 'enrichment failed'),
  );
  ctx.metrics?.papersIngested.inc(counts.new);
  return counts;
}

export interface PlanResult {
  runId: string;
  /** When the pass started (default: when the run is recorded). */
  startedAt?: Date;
  planned: string[];
  /** Deliveries found stuck (lost job, dead worker) and sent again. */
  resumed: string[];
  batches: string[][];
}

/** What a streamed pass did, in numbers: its ids went to the sink chunk by chunk. */
export interface PlanSummary {
  runId: string;
  startedAt: Date;
  planned: number;
  resumed: number;
  batches: number;
}

/** Takes each chunk's send batches as they are planned (enqueue them, or send them here). */
export type BatchSink = (batches: string[][], run: PlanSummary) => Promise<void>;

/** Queued rows older than this have lost their job. */
export const STALE_QUEUED_MS = 10 * 60_000;

export interface PlanJobOptions {
  /** Also resume queued deliveries of any age (after Redis lost their jobs, schedulers.ts). */
  resumeQueued?: boolean;
}

/**
 * One planner pass, streamed: stalled deliveries first (found before this
 * pass creates any, so no fresh row is mistaken for a stalled one), then new
 * ones chunk by chunk, each cut into batches of SEND_BATCH_SIZE and handed to
 * `sink` before the next chunk is planned. Memory is one chunk, whatever the
 * number of readers. `resumeQueued`: also resume queued deliveries of any
 * age (after Redis lost their jobs, schedulers.ts).
 */
export async function planJobStreamed(ctx: JobContext, sink: BatchSink, day?: string, opts: PlanJobOptions = {}): Promise<PlanSummary> {
  const now = ctx.now();
  const summary: PlanSummary = { runId: `${now.toISOString()}-${randomUUID().slice(0, 8)}`, startedAt: now, planned: 0, resumed: 0, batches: 0 };
  const hand = async (batches: string[][]) => {
    summary.batches += batches.length;
    await sink(batches, summary);
  };
  const resumed = await findStalledDeliveries(ctx.db, now, opts.resumeQueued ? 0 : STALE_QUEUED_MS);
  summary.resumed = resumed.length;
  if (resumed.length) await hand(chunk(resumed, ctx.config.SEND_BATCH_SIZE));
  for await (const planned of planDeliveryChunks(ctx.db, { now, day })) {
    summary.planned += planned.length;
    await hand(sendBatchesOf(planned, ctx.config.SEND_BATCH_SIZE));
  }
  if (summary.planned || summary.resumed) ctx.log.info({ runId: summary.runId, planned: summary.planned, resumed: summary.resumed, batches: summary.batches }, 'deliveries planned');
  return summary;
}

/** One pass with every id kept (operators' commands and tests, which report or follow them). */
export async function planJob(ctx: JobContext, day?: string, opts: PlanJobOptions = {}): Promise<PlanResult> {
  const result: PlanResult = { runId: '', planned: [], resumed: [], batches: [] };
  const summary = await planJobStreamed(ctx, async (batches) => void result.batches.push(...batches), day, opts);
  // The sink saw resumed ids first, then planned ones, in batch order.
  const ids = result.batches.flat();
  return { ...result, runId: summary.runId, startedAt: summary.startedAt, resumed: ids.slice(0, summary.resumed), planned: ids.slice(summary.resumed) };
}
