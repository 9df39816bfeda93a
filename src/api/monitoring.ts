/**
 * Monitoring for the API process: request durations and `GET /metrics` (the
 * process's registry: HTTP, the state gauges read at scrape time, and in the
 * embedded default the counters of the jobs running here), plus the BullMQ
 * dashboard when the queues exist. app.ts calls this before any route, so
 * every route is timed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import { createQueues, type Queues } from '../jobs/queues.ts';
import { registerHttpMetrics } from '../metrics/http-metrics.ts';
import { createMetrics, type Metrics } from '../metrics/registry.ts';
import { registerStateGauges } from '../metrics/state-gauges.ts';
import { adminAuthorizer } from './admin-auth.ts';
import { queueDashboard } from './queue-dashboard.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's metrics registry and instruments. */
    metrics: Metrics;
  }
}

/** Any logger and type provider: app.ts has pino's and zod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, any, any>;

export async function registerMonitoring(app: AppInstance, deps: { metrics?: Metrics; queues?: Queues; stateMaxAgeMs?: number }): Promise<void> {
  const { config, db, now } = app.deps;
  const metrics = deps.metrics ?? createMetrics();
  app.decorate('metrics', metrics);
  let own = deps.queues;
  if (!own && config.REDIS_URL) {
    // Handles for counting and the dashboard; they process nothing.
    own = createQueues({ connection: { url: config.REDIS_URL, maxRetriesPerRequest: null }, prefix: config.REDIS_PREFIX });
    const created = own;
    app.addHook('onClose', () => created.close());
  }
  const queues = own ? [own.ingest, own.plan, own.send, own.retention] : [];
  registerStateGauges(metrics.registry, { db, now, queues, maxAgeMs: deps.stateMaxAgeMs });
  registerHttpMetrics(app, metrics, { token: config.METRICS_TOKEN });
  // No ADMIN_TOKEN: no dashboard at all (404).
  if (queues.length && config.ADMIN_TOKEN) {
    await queueDashboard(app, { queues, authorize: adminAuthorizer({ csrf: false }) });
  }
}
