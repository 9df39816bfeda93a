/** Readiness, OpenAPI, and the subscribe rate limit with its counters in the real Redis. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { silentLogger } from '../../src/log.ts';
import { createTestApp, recordingMailer, type TestApp } from '../helpers/app.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const nameSpace = `paperboy-test:${randomUUID()}:`;
let redis: Redis;
let t: TestApp;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  t = await createTestApp({ env: { REDIS_URL } });
});
afterAll(async () => {
  const keys = await redis.keys(`${nameSpace}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await t.close();
});

const appWith = (redisClient: Redis, max = 3) =>
  buildApp({
    config: t.config,
    db: t.database.db,
    log: silentLogger,
    mailer: recordingMailer(),
    redis: redisClient,
    subscriptions: { subscribeLimit: { max, windowMs: 60_000, nameSpace } },
  });

describe('readiness', () => {
  it('is ready when the database (and Redis, when configured) answer', async () => {
    const app = await appWith(redis);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    await app.close();
  });

  it('answers 503 naming Redis when it is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    const app = await appWith(dead);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', checks: { database: 'ok', redis: expect.stringContaining('unreachable') }, message: 'redis unreachable' });
    // Subscribing still works: the limiter skips a broken store rather than failing requests.
    const sub = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'redis-down@example.org' } });
    expect(sub.statusCode).toBe(202);
    await app.close();
    dead.disconnect();
  });

  it('healthz is up', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('OpenAPI', () => {
  it('documents the JSON API at /docs from the zod schemas', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/subscriptions', '/api/subscriptions/confirm', '/api/preferences', '/api/preferences/export', '/api/unsubscribe', '/api/subscriber', '/readyz']),
    );
    const body = spec.paths['/api/subscriptions'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['email']);
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(spec.paths)).not.toContain('/preferences');
  });
});

describe('subscribe rate limit', () => {
  it('limits per client IP in Redis, shared by the form and the JSON API, with a clear 429', async () => {
    const app = await appWith(redis, 3);
    const from = (ip: string, i: number) =>
      app.inject({ method: 'POST', url: i % 2 ? '/api/subscriptions' : '/subscribe', remoteAddress: ip, payload: { email: `rl-${ip}-${i}@example.org` } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await from('203.0.113.7', i)).statusCode);
    expect(codes.slice(0, 3).every((c) => c < 400)).toBe(true);
    const limited = await app.inject({ method: 'POST', url: '/api/subscriptions', remoteAddress: '203.0.113.7', payload: { email: 'rl-last@example.org' } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: 'rate_limited', message: expect.stringMatching(/too many subscribe requests.*try again in/) });
    expect((await from('198.51.100.9', 1)).statusCode).toBe(202);
    expect((await redis.keys(`${nameSpace}*`)).length).toBeGreaterThan(0);

    // Links and one-click are never limited.
    const page = await app.inject({ method: 'GET', url: '/unsubscribe?token=x.y', remoteAddress: '203.0.113.7' });
    expect(page.statusCode).toBe(401);
    await app.close();
  });

  it('counts a burst exactly: the requests of one turn share a Redis round trip and get successive counts', async () => {
    const app = await appWith(redis, 3);
    const ip = '192.0.2.44';
    const burst = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        app.inject({ method: 'POST', url: '/api/subscriptions', remoteAddress: ip, payload: { email: `burst-${i}@example.org` } }),
      ),
    );
    expect(burst.filter((r) => r.statusCode === 202)).toHaveLength(3);
    expect(burst.filter((r) => r.statusCode === 429)).toHaveLength(4);
    const [key] = await redis.keys(`${nameSpace}*${ip}`);
    expect(await redis.get(key!)).toBe('7');
    expect(await redis.pttl(key!)).toBeGreaterThan(0);
    await app.close();
  });
});
