/**
 * Per-client-IP limit on subscribing (the JSON endpoint and the form share one
 * budget). Counters live in Redis when REDIS_URL is set, so every API process
 * shares them (one round trip per event-loop turn: rate-limit-store.ts); in
 * memory otherwise. Only the subscribe routes opt in: link
 * pages and the RFC 8058 one-click POST are never limited, since a mailbox
 * provider may send many unsubscribes from one address.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import { batchedRedisStore } from './rate-limit-store.ts';

export interface SubscribeLimit {
  /** Requests per client IP per window. */
  max: number;
  windowMs: number;
  /** Redis key prefix; tests use their own. */
  nameSpace?: string;
}

export const defaultSubscribeLimit: SubscribeLimit = { max: 10, windowMs: 60_000 };

/** Registers the plugin and returns the one onRequest hook both subscribe routes share. */
export async function registerRateLimit(app: FastifyInstance, redis: Redis | undefined, limit: SubscribeLimit): Promise<onRequestHookHandler> {
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { store: batchedRedisStore(redis, limit.nameSpace ?? 'paperboy:rate:') } : {}),
    // A Redis outage should not take subscribing down with it; /readyz reports it.
    skipOnError: true,
    // Headers only on a 429 (with retry-after): the common answer stays small.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, ctx) =>
      new AppError(429, 'rate_limited', `too many subscribe requests from your address; try again in ${ctx.after}`),
  });
  // One limiter instance, so its counter is shared by every route that uses it.
  return app.rateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator: (req) => `subscribe:${req.ip}` });
}
