/**
 * One prom-client Registry per process (never the global default, so tests can
 * build several apps), and the metrics of the work that process does. Entry
 * points create it and pass it through the deps; the send path sees only the
 * narrow `SendMetrics` hook.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { bounceOutcomes, type BounceMetrics } from '../bounces/handle.ts';
import type { SendMetrics, SkipCategory } from '../delivery/send-batch.ts';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  send: SendMetrics;
  papersIngested: Counter;
  /** Job schedulers re-created after Redis lost them (jobs/schedulers.ts). */
  schedulersRestored: Counter<'scheduler'>;
  bounces: BounceMetrics;
}

export function createMetrics(opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // CPU, memory, event loop lag: only for real processes (each call adds a GC observer).
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpDuration = new Histogram({
    name: 'paperboy_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const sent = new Counter({ name: 'paperboy_emails_sent_total', help: 'Digests accepted by the mail relay', registers });
  const failed = new Counter({
    name: 'paperboy_emails_failed_total',
    help: 'Digests that failed for good (kind: rejected = 5xx, attempts_exhausted = 4xx until out of attempts)',
    labelNames: ['kind'] as const,
    registers,
  });
  const skipped = new Counter({
    name: 'paperboy_emails_skipped_total',
    help: 'Deliveries ended without an email, by reason category',
    labelNames: ['reason'] as const,
    registers,
  });
  const smtp = new Histogram({
    name: 'paperboy_smtp_send_duration_seconds',
    help: 'Time to hand one digest to the mail transport, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers,
  });
  const bounceReports = new Counter({
    name: 'paperboy_bounce_reports_total',
    help: 'Bounce and complaint reports received, by source (smtp, ses, …) and outcome (hard, soft, complaint, other, unmatched, unparsable)',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  for (const o of bounceOutcomes) bounceReports.inc({ source: 'smtp', outcome: o }, 0);
  const papersIngested = new Counter({ name: 'paperboy_papers_ingested_total', help: 'Papers seen for the first time by an ingest job', registers });
  const schedulersRestored = new Counter({
    name: 'paperboy_job_schedulers_restored_total',
    help: 'Job schedulers a worker found missing from Redis (data lost) and re-created',
    labelNames: ['scheduler'] as const,
    registers,
  });
  for (const s of ['ingest-hourly', 'plan']) schedulersRestored.inc({ scheduler: s }, 0);
  // Zero-valued series exist from the start, so rate() works before the first event.
  for (const k of ['rejected', 'attempts_exhausted']) failed.inc({ kind: k }, 0);
  for (const r of ['subscriber_inactive', 'no_matching_papers', 'all_already_sent', 'other'] satisfies SkipCategory[]) skipped.inc({ reason: r }, 0);

  const send: SendMetrics = {
    mailed(outcome, seconds) {
      smtp.observe({ outcome }, seconds);
      if (outcome === 'sent') sent.inc();
    },
    failed(kind) {
      failed.inc({ kind });
    },
    skipped(reason) {
      skipped.inc({ reason });
    },
  };
  const bounces: BounceMetrics = { report: (source, outcome) => bounceReports.inc({ source, outcome }) };
  return { registry, httpDuration, send, papersIngested, schedulersRestored, bounces };
}
