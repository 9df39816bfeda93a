/**
 * POST /api/subscriptions under load, against real Postgres and Redis, next to
 * a bare Fastify route doing one `INSERT … ON CONFLICT` on the same table, in
 * the same run. Every request carries a distinct address (autocannon's
 * [<id>] replacement), so every request inserts a pending subscriber, records
 * its audit event and enqueues a confirmation.
 *
 * Both servers listen on 127.0.0.1 in this process; autocannon runs in a
 * separate process (its CLI), so the load generator does not share the
 * servers' event loop. The app's mailer here only counts: the confirmation is
 * rendered off the request path, but not handed to SMTP (that is the
 * delivery benchmark's business). The rate limiter runs with its counters in
 * Redis and a limit high enough not to trip, so its round trip is measured.
 *
 * Targets (2-core machine): ≥ 2,500 req/s, p99 ≤ 50 ms, and ≥ 70 % of the bare route.
 *   npm run bench -- subscribe
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { redisOptions } from '../../src/server.ts';
import { createBenchDatabase, fmt, machineLine, postgresCpuMs } from './bench-db.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Result {
  rps: number;
  /** CPU time this process (both servers) spent per request, in µs. */
  cpuUs: number;
  /** CPU time Postgres' processes on this machine spent per request, in µs. */
  pgUs: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, body: string, seconds: number): Promise<Result> {
  const args = [AUTOCANNON, '-j', '-m', 'POST', '-H', 'content-type=application/json', '-b', body, '-I', '-c', String(CONNECTIONS), '-d', String(seconds), url];
  const cpu = process.cpuUsage();
  const pg = postgresCpuMs();
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const used = process.cpuUsage(cpu);
  const pgMs = postgresCpuMs() - pg;
  const r = JSON.parse(stdout);
  const pgUs = (pgMs * 1000) / r.requests.total;
  return { rps: r.requests.average, cpuUs: (used.user + used.system) / r.requests.total, pgUs, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const database = await createBenchDatabase(Number(process.env.BENCH_POOL ?? 10));
const redis = new Redis(REDIS_URL, redisOptions); // as the server creates it
const nameSpace = `paperboy-bench:${randomUUID()}:`;
let confirmations = 0;
const countingMailer: Mailer = {
  kind: 'outbox',
  async send(mail) {
    confirmations++;
    return { messageId: mail.messageId ?? '<bench@localhost>', response: 'counted' };
  },
  async sendRaw(mail) {
    return { messageId: mail.messageId, response: 'not used here' };
  },
  async close() {},
};
const config = loadConfig({ DATABASE_URL: database.url, REDIS_URL, SECRET: 'bench-'.repeat(8), LOG_LEVEL: 'silent', NODE_ENV: 'production' });
const app = await buildApp({
  config,
  db: database.db,
  log: silentLogger,
  mailer: countingMailer,
  redis,
  subscriptions: { subscribeLimit: { max: 1e9, windowMs: 60_000, nameSpace } },
});
const bare = Fastify({ logger: false });
bare.post<{ Body: { email: string } }>('/bare', async (req, reply) => {
  await database.pool!.query('INSERT INTO subscribers (email) VALUES ($1) ON CONFLICT ((lower(email))) DO NOTHING', [req.body.email]);
  return reply.code(202).send({ status: 'ok' });
});

try {
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(`subscribe: POST /api/subscriptions vs a bare INSERT … ON CONFLICT route, ${CONNECTIONS} connections, ${DURATION} s each — ${machineLine()}`);
  const appBody = JSON.stringify({ email: 'bench-[<id>]@example.org', topics: ['llm', 'vision'], keywords: ['speculative decoding'], timezone: 'Europe/Berlin', sendHour: 8 });
  const bareBody = JSON.stringify({ email: 'bare-[<id>]@example.org' });
  // Warm-up: JIT, pool connections, Postgres caches.
  await load(`${appUrl}/api/subscriptions`, appBody, 3);
  await load(`${bareUrl}/bare`, bareBody, 3);
  const real = await load(`${appUrl}/api/subscriptions`, appBody, DURATION);
  const base = await load(`${bareUrl}/bare`, bareBody, DURATION);
  await app.subscribers.confirmations.drain();
  const line = (name: string, r: Result) =>
    console.log(`  ${name.padEnd(22)} ${fmt(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  server CPU ${fmt(r.cpuUs)} µs/req  Postgres CPU ${fmt(r.pgUs)} µs/req  non-2xx ${r.non2xx}  errors ${r.errors}`);
  line('/api/subscriptions', real);
  line('bare INSERT route', base);
  const ratio = real.rps / base.rps;
  console.log(`  ratio ${(ratio * 100).toFixed(0)} % of the bare route; confirmations rendered ${fmt(confirmations)}`);
  const met = real.rps >= 2500 && real.p99 <= 50 && ratio >= 0.7 && real.non2xx === 0;
  console.log(`  targets ≥ 2,500 req/s, p99 ≤ 50 ms, ≥ 70 % of bare: ${met ? 'met' : 'MISSED'}`);
} finally {
  await app.close();
  await bare.close();
  const keys = await redis.keys(`${nameSpace}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await database.drop();
}
