/**
 * buildApp(deps): the Fastify instance with every plugin and route, but no
 * listen() — tests drive it with app.inject(), server.ts listens.
 *
 * Everything the routes need arrives in `deps`, so a test passes a real
 * database and a plain fake mailer without touching modules.
 */
import Fastify, { type FastifyError } from 'fastify';
import helmet from '@fastify/helmet';
import type { Redis } from 'ioredis';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Logger } from './log.ts';
import { AppError } from './errors.ts';
import { registerMonitoring } from './api/monitoring.ts';
import type { Queues } from './jobs/queues.ts';
import type { Metrics } from './metrics/registry.ts';
import { registerSubscriptions, type SubscriptionOptions } from './api/subscriptions.ts';
import { webhookRoutes } from './api/webhook-routes.ts';
import type { HttpsGet } from './bounces/esp/sns.ts';
import { digestRoutes } from './api/digest-routes.ts';
import { adminPlugin } from './api/admin.ts';
import { registerBodyParsers } from './api/body-parsers.ts';
import { createAdminThrottle } from './api/admin-throttle.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  log: Logger;
  mailer: Mailer;
  /** Set when REDIS_URL is configured (shared rate limit, readiness, queues). */
  redis?: Redis;
  /** The clock; tests pin it. */
  now?: () => Date;
  /** This process's metrics (default: a fresh registry, so tests can build several apps). */
  metrics?: Metrics;
  /** BullMQ queue handles for the queue gauges and dashboard (default: opened when REDIS_URL is set). */
  queues?: Queues;
  /** How long the database gauges of /metrics are reused (default 5 s of the app clock). */
  stateGaugesMaxAgeMs?: number;
  /** Link secrets, confirmation sending and the subscribe rate limit (defaults from config). */
  subscriptions?: SubscriptionOptions;
  /** How /webhooks/ses fetches SNS certificates and confirms subscriptions (default: fetch over HTTPS). */
  snsHttpsGet?: HttpsGet;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: Required<Pick<AppDeps, 'now'>> & AppDeps;
  }
}

/**
 * TRUST_PROXY as Fastify takes it. Fastify 5 no longer reads a number as a hop
 * count (it trusts nothing), so a count becomes proxy-addr's hop test: the
 * socket's peer and the next n − 1 addresses of X-Forwarded-For are proxies,
 * the address before them is the client's.
 */
function trustProxyOption(trust: Config['TRUST_PROXY']): false | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return trust === 0 ? false : (_addr, hop) => hop < trust;
}

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    // Subscribe forms and JSON bodies are small; anything bigger is an attack or a bug.
    bodyLimit: 64 * 1024,
    // The client address (rate limits, admin throttle) comes from the socket unless
    // TRUST_PROXY names the proxies whose X-Forwarded-For entries are believed.
    trustProxy: trustProxyOption(deps.config.TRUST_PROXY),
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<ZodTypeProvider>();
  app.decorate('deps', { now: () => new Date(), ...deps });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // One error handler: typed app errors and request validation become a 4xx with
  // `{ error, message, details? }`; anything else is logged with the request id
  // and answered with a bare 500, so internals never leak.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      return reply
        .code(err.statusCode)
        .send({ error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      const first = details[0];
      return reply.code(400).send({
        error: 'validation_failed',
        message: first ? `${first.path}: ${first.message}` : 'invalid request',
        details,
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large, …
      const code = err.code ? err.code.replace(/^FST_ERR_/, '').toLowerCase() : 'bad_request';
      return reply.code(status).send({ error: code, message: err.message });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'form-action': ["'self'"],
        'script-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'https:'],
        // On a plain-http PUBLIC_URL (a LAN install) browsers would rewrite form posts to https and fail.
        'upgrade-insecure-requests': deps.config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
  });
  registerBodyParsers(app);
  app.decorate('adminThrottle', createAdminThrottle({ redis: deps.redis, keyPrefix: `${deps.config.REDIS_PREFIX}:admin-failures` }));
  await registerMonitoring(app, { metrics: deps.metrics, queues: deps.queues, stateMaxAgeMs: deps.stateGaugesMaxAgeMs });

  app.get('/healthz', async () => ({ status: 'ok' }));
  await registerSubscriptions(app, { ...deps.subscriptions, mailer: deps.mailer, log: deps.log });
  await app.register(digestRoutes);
  await app.register(webhookRoutes);
  await app.register(adminPlugin);

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
