/**
 * The jobs themselves, free of any queue: BullMQ workers (worker.ts) and the
 * embedded runner (inline-runner.ts) both call these.
 */
import { randomUUID } from 'node:crypto';
import { findStalledDeliveries, planDeliveries } from '../delivery/plan.ts';
import { runIngest, type IngestCounts } from '../papers/ingest-run.ts';
import { WINDOW_DAYS } from '../digest/candidates.ts';
import { enrichWindow } from '../papers/enrich.ts';
import { hfClientFromConfig, hfSourceFromConfig } from '../papers/sources/hf-from-config.ts';
import { chunk } from './queues.ts';
import type { JobContext } from './context.ts';

const DAY_MS = 86_400_000;
const utcDay = (t: number) => new Date(t).toISOString().slice(0, 10);

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

/** Queued rows older than this have lost their job. */
export const STALE_QUEUED_MS = 10 * 60_000;

export async function planJob(ctx: JobContext, day?: string, opts: { resumeQueued?: boolean } = {}): Promise<PlanResult> {
  const now = ctx.now();
  const planned = (await planDeliveries(ctx.db, { now, day })).map((p) => p.id);
  const fresh = new Set(planned);
  const resumed = (await findStalledDeliveries(ctx.db, now, opts.resumeQueued ? 0 : STALE_QUEUED_MS)).filter((id) => !fresh.has(id));
  const runId = `${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  const batches = chunk([...planned, ...resumed], ctx.config.SEND_BATCH_SIZE);
  if (planned.length || resumed.length) ctx.log.info({ runId, planned: planned.length, resumed: resumed.length, batches: batches.length }, 'deliveries planned');
  return { runId, startedAt: now, planned, resumed, batches };
}
