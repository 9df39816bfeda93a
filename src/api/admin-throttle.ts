/**
 * Failed admin authentication, counted per client address (the one
 * TRUST_PROXY yields): a wrong Bearer token and a wrong login-form token
 * both count. After MAX_FAILURES within WINDOW_SECONDS, every admin
 * credential from that address, right or wrong, is answered 429 until
 * BLOCK_SECONDS have passed, so a 24-character token cannot be guessed at
 * network speed (one client once tried ≈ 330 tokens/s).
 *
 * Counters live in Redis when REDIS_URL is set (every API process shares
 * them), in memory otherwise; if Redis fails, an in-memory counter takes over
 * rather than letting guesses through unthrottled. Each failure is logged
 * with the address and the kind of credential, never the value given.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';

export const MAX_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;
const BLOCK_SECONDS = 15 * 60;

export type CredentialKind = 'bearer' | 'login form';

export interface AdminThrottle {
  /** Throws the 429 (with Retry-After) when this client may not try a credential now. */
  check(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts and logs a wrong credential. */
  failed(req: FastifyRequest, kind: CredentialKind): Promise<void>;
}

const tooMany = (seconds: number) =>
  new AppError(429, 'rate_limited', `too many failed admin logins from your address; try again in ${Math.ceil(seconds / 60)} minutes`, {
    retryAfterSeconds: seconds,
  });

export function createAdminThrottle(opts: { redis?: Redis; keyPrefix: string }): AdminThrottle {
  const options = { points: MAX_FAILURES, duration: WINDOW_SECONDS, blockDuration: BLOCK_SECONDS, keyPrefix: opts.keyPrefix };
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({ ...options, storeClient: opts.redis, insuranceLimiter: new RateLimiterMemory(options) })
    : new RateLimiterMemory(options);
  return {
    async check(req, reply) {
      const res = await limiter.get(req.ip);
      if (!res || res.consumedPoints < MAX_FAILURES) return;
      const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      reply.header('retry-after', String(seconds));
      throw tooMany(seconds);
    },
    async failed(req, kind) {
      const res = await limiter.consume(req.ip).catch((r: unknown) => r);
      const failures = res instanceof RateLimiterRes ? res.consumedPoints : undefined;
      req.log.warn({ client: req.ip, credential: kind, failures }, 'admin authentication failed');
    },
  };
}
