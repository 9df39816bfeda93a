/**
 * A @fastify/rate-limit store with its counters in Redis, like the plugin's own
 * RedisStore, but one round trip per event-loop turn instead of one per request
 * (turn-batch.ts): the increments of one turn are added up per key and sent as
 * one pipeline.
 *
 * Why: on the project's machine a socket write is the dearest thing a request
 * does, and the plugin's store made every subscribe pay one to Redis on top of
 * the one to Postgres (BENCHMARKS.md).
 *
 * The semantics are the plugin's fixed window, and as exact: every request
 * still waits for Redis' answer, and INCRBY returns the shared total, so the
 * n requests of a batch for one key get the counts total − n + 1 … total, in
 * arrival order, across every API process.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { turnBatcher } from '../turn-batch.ts';

// INCRBY, and start the window when the key has none; returns the total and the window's remaining ms.
const INCR_BY = `
local current = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {current, ttl}`;

type Count = { current: number; ttl: number };

type ScriptedPipeline = ReturnType<Redis['pipeline']> & {
  paperboyRateIncrBy(key: string, by: number, windowMs: number): ScriptedPipeline;
};

function incrementer(redis: Redis) {
  if (!('paperboyRateIncrBy' in redis)) redis.defineCommand('paperboyRateIncrBy', { numberOfKeys: 1, lua: INCR_BY });
  return turnBatcher<{ key: string; timeWindow: number }, Count>(async (items) => {
    const byKey = new Map<string, { timeWindow: number; slots: number[] }>();
    items.forEach(({ key, timeWindow }, i) => {
      const group = byKey.get(key);
      if (group) group.slots.push(i);
      else byKey.set(key, { timeWindow, slots: [i] });
    });
    const pipeline = redis.pipeline() as ScriptedPipeline;
    for (const [key, { timeWindow, slots }] of byKey) pipeline.paperboyRateIncrBy(key, slots.length, timeWindow);
    const replies = (await pipeline.exec()) ?? [];
    const out: (Count | Error)[] = new Array(items.length);
    [...byKey.values()].forEach(({ slots }, k) => {
      const [err, reply] = replies[k] ?? [new Error('no reply from Redis')];
      const [total, ttl] = (reply ?? [0, 0]) as [number, number];
      slots.forEach((slot, i) => (out[slot] = err ?? { current: total - slots.length + 1 + i, ttl }));
    });
    return out;
  });
}

/** What the plugin constructs with `new Store(globalParams)`; only the Redis connection is needed. */
export function batchedRedisStore(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  const increment = incrementer(redis);
  return class BatchedRedisStore implements FastifyRateLimitStore {
    constructor(
      _globalParams?: unknown,
      private readonly prefix = nameSpace,
    ) {}

    incr(key: string, cb: (err: Error | null, res?: Count) => void, timeWindow: number): void {
      increment({ key: this.prefix + key, timeWindow }).then((res) => cb(null, res), cb);
    }

    /** Per-route stores share the batcher and keep their keys apart, as the plugin's do. */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): BatchedRedisStore {
      // The plugin passes its merged options with `routeInfo` (empty for app.rateLimit()), not what its types say.
      const info = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new BatchedRedisStore(undefined, this.prefix + (info?.method ? `${info.method}${info.url}-` : ''));
    }
  };
}
