/**
 * Request durations by route pattern (`/api/subscriptions/:id`, never the raw
 * URL, so label values stay few) and status code, and `GET /metrics` in the
 * Prometheus text format (behind METRICS_TOKEN when set: metrics-token.ts). The per-request cost is one histogram observation
 * on a series looked up in a small map: Fastify measures the time itself
 * (reply.elapsedTime).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { Histogram, Registry } from 'prom-client';
import { METRICS_CHALLENGE, METRICS_REFUSED, metricsAllowed } from './metrics-token.ts';

type Series = ReturnType<Histogram<'method' | 'route' | 'status_code'>['labels']>;

/** Any logger and type provider: app.ts has pino's and zod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, any, any>;

export function registerHttpMetrics(
  app: AppInstance,
  metrics: { registry: Registry; httpDuration: Histogram<'method' | 'route' | 'status_code'> },
  opts: { token?: string } = {},
): void {
  const series = new Map<string, Series>();
  // Callback style: no promise per request.
  app.addHook('onResponse', (req, reply, done) => {
    // Unmatched URLs (404s, scanners) share one label value.
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let s = series.get(key);
    if (!s) {
      s = metrics.httpDuration.labels({ method: req.method, route, status_code: String(reply.statusCode) });
      series.set(key, s);
    }
    s.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAllowed(req.headers.authorization, opts.token)) {
      return reply.code(401).header('www-authenticate', METRICS_CHALLENGE).send({ error: 'unauthorized', message: METRICS_REFUSED });
    }
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
