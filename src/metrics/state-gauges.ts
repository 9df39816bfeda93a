/**
 * Gauges read at scrape time (the database's cached for a few seconds): from the database (subscribers and deliveries by
 * status, papers, the last ingest and send runs) and from BullMQ (jobs per
 * queue and state). Every process that asks sees the same values, so they are
 * registered by the API process only; the workers expose their own counters.
 *
 * "The current period" of deliveries: today's UTC date (daily digests) and the
 * ISO week it falls in (weekly digests). A subscriber far from UTC has a local
 * date a day off for part of the day; their deliveries count under their own
 * date, as the planner wrote them.
 */
import { sql } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { deliveryStatuses, subscriberStatuses } from '../db/schema.ts';
import { isoWeek } from '../digest/period.ts';

/** What the queue gauges need from a BullMQ queue. */
export interface CountableQueue {
  name: string;
  getJobCounts(...types: ('waiting' | 'active' | 'failed' | 'delayed')[]): Promise<Record<string, number>>;
}

export const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;
const QUEUE_TIMEOUT_MS = 2_000;

interface Snapshot {
  subscribers: Record<string, number>;
  deliveries: { frequency: 'daily' | 'weekly'; status: string; n: number }[];
  papers: number;
  lastRun: Record<string, number>;
}

async function readSnapshot(db: Db, now: Date): Promise<Snapshot> {
  const today = now.toISOString().slice(0, 10);
  const week = isoWeek(today);
  const [subs, dels, papers, runs] = await Promise.all([
    queryRows<{ status: string; n: number }>(db, sql`SELECT status, count(*)::int AS n FROM subscribers GROUP BY status`),
    queryRows<{ period: string; status: string; n: number }>(
      db,
      sql`SELECT period, status, count(*)::int AS n FROM deliveries WHERE period IN (${today}, ${week}) GROUP BY period, status`,
    ),
    queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM papers`),
    queryRows<{ kind: string; at: number }>(db, sql`SELECT kind, extract(epoch FROM max(finished_at))::float8 AS at FROM runs GROUP BY kind`),
  ]);
  return {
    subscribers: Object.fromEntries(subs.map((r) => [r.status, Number(r.n)])),
    deliveries: dels.map((r) => ({ frequency: r.period === week ? 'weekly' : 'daily', status: r.status, n: Number(r.n) })),
    papers: Number(papers[0]?.n ?? 0),
    lastRun: Object.fromEntries(runs.map((r) => [r.kind, Number(r.at)])),
  };
}

/** How long one read of the database serves scrapes. */
export const STATE_MAX_AGE_MS = 5_000;

export function registerStateGauges(registry: Registry, deps: { db: Db; now: () => Date; queues?: CountableQueue[]; maxAgeMs?: number }): void {
  const registers = [registry];
  // One read serves the gauges of a scrape (prom-client collects them
  // concurrently) and every scrape for maxAgeMs after it: scrapes are free to
  // anyone, and the counts once cost Postgres 0.38 core at 1,500 scrapes/s.
  // The age is read off the app's clock; a failed read is not kept.
  const maxAgeMs = deps.maxAgeMs ?? STATE_MAX_AGE_MS;
  let cached: { at: number; snapshot: Promise<Snapshot> } | undefined;
  const snapshot = () => {
    const now = deps.now();
    if (!cached || now.getTime() - cached.at >= maxAgeMs || now.getTime() < cached.at) {
      const entry = { at: now.getTime(), snapshot: readSnapshot(deps.db, now) };
      entry.snapshot.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.snapshot;
  };

  new Gauge({
    name: 'paperboy_subscribers',
    help: 'Subscribers by status',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      for (const status of subscriberStatuses) this.set({ status }, s.subscribers[status] ?? 0);
    },
  });
  new Gauge({
    name: 'paperboy_deliveries',
    help: "Deliveries of the current period by status: frequency daily = today's UTC date, weekly = its ISO week",
    labelNames: ['frequency', 'status'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      for (const frequency of ['daily', 'weekly'] as const) {
        for (const status of deliveryStatuses) {
          this.set({ frequency, status }, s.deliveries.find((d) => d.frequency === frequency && d.status === status)?.n ?? 0);
        }
      }
    },
  });
  new Gauge({
    name: 'paperboy_papers',
    help: 'Papers in the database',
    registers,
    async collect() {
      this.set((await snapshot()).papers);
    },
  });
  new Gauge({
    name: 'paperboy_last_ingest_timestamp_seconds',
    help: 'When the last successful ingest run finished (Unix time; 0 = never)',
    registers,
    async collect() {
      this.set((await snapshot()).lastRun.ingest ?? 0);
    },
  });
  new Gauge({
    name: 'paperboy_last_send_run_timestamp_seconds',
    help: 'When the last send run with deliveries finished (Unix time; 0 = never)',
    registers,
    async collect() {
      this.set((await snapshot()).lastRun.send ?? 0);
    },
  });
  const queues = deps.queues;
  if (queues?.length) {
    new Gauge({
      name: 'paperboy_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        // Queue handles wait for Redis forever; a scrape must not. No answer: no samples this time.
        this.reset();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), QUEUE_TIMEOUT_MS);
        });
        const counts = await Promise.race([Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES))), timeout]).finally(() => clearTimeout(timer));
        if (!counts) return;
        queues.forEach((q, i) => {
          for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[i]![state] ?? 0);
        });
      },
    });
  }
}
