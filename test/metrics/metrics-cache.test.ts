/**
 * /metrics is free to scrape, so its database gauges are read at most once
 * per STATE_MAX_AGE_MS of the app clock (a read once cost Postgres 0.38 core
 * at 1,500 scrapes/s), and METRICS_TOKEN can close it, on the API and on the
 * worker's own server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribers } from '../../src/db/schema.ts';
import { silentLogger } from '../../src/log.ts';
import { startMetricsServer } from '../../src/metrics/metrics-server.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { STATE_MAX_AGE_MS } from '../../src/metrics/state-gauges.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 'm'.repeat(32);
let open: TestApp;
let closed: TestApp;
beforeAll(async () => {
  [open, closed] = await Promise.all([createTestApp(), createTestApp({ env: { METRICS_TOKEN: TOKEN } })]);
});
afterAll(() => Promise.all([open.close(), closed.close()]));

const pending = async (t: TestApp) => {
  const res = await t.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return Number(/^paperboy_subscribers\{status="pending"\} (\d+)$/m.exec(res.body)?.[1]);
};
const addPending = (t: TestApp) => t.database.db.insert(subscribers).values({ email: `m-${randomUUID()}@example.org`, status: 'pending' });

describe('database gauges', () => {
  it(`are read once per ${STATE_MAX_AGE_MS / 1000} s, however many scrapes come`, async () => {
    expect(await pending(open)).toBe(0);
    await addPending(open);
    // Within the age: the same read, for one scrape or fifty at once.
    const burst = await Promise.all(Array.from({ length: 50 }, () => pending(open)));
    expect(new Set(burst)).toEqual(new Set([0]));
    open.clock.now = new Date(open.clock.now.getTime() + STATE_MAX_AGE_MS - 1);
    expect(await pending(open)).toBe(0);
    open.clock.now = new Date(open.clock.now.getTime() + 1);
    expect(await pending(open)).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  it('closes the API /metrics to anyone without the Bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
      const res = await closed.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('paperboy_');
    }
    const ok = await closed.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('paperboy_subscribers{status="active"}');
    expect((await open.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it("closes the worker's /metrics the same way", async () => {
    const metrics = createMetrics();
    const server = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0, log: silentLogger, token: TOKEN });
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE');
    } finally {
      await server.close();
    }
  });
});
