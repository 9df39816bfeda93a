/**
 * End-to-end send: 100,000 subscribers over 50 topic mixes, planned, queued
 * through BullMQ and sent by a `paperboy worker` process to a loopback SMTP
 * sink in a third process. Printed beside two ceilings measured in the same
 * run against the same sink, both with 40 in flight over a pool of 20:
 *   (a) a bare loop of nodemailer sendMail with ordinary message objects
 *       (nodemailer composes the MIME of every message);
 *   (b) a bare loop sending pre-built raw MIME, with the recipient's values
 *       substituted per message.
 * Targets: end to end ≥ 1.0× (a), ≥ 60 % of (b), ≥ 1,000 emails/s, worker
 * peak RSS < 300 MB.
 *   npx tsx test/bench/send.bench.ts   (or: npm run bench -- send)
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import { subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries } from '../../src/papers/paper.ts';
import { topicSlugs } from '../../src/papers/topics.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { spawnWorker } from '../helpers/worker-process.ts';
import { createBenchDatabase, fmt, machineLine } from './bench-db.ts';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const BASELINE_N = Number(process.env.BENCH_BASELINE ?? 20_000);
const DAY = '2025-12-16';
const AS_OF = Date.parse(`${DAY}T07:00:00Z`);
const IN_FLIGHT = 40;

const database = await createBenchDatabase();
const sink = await startSmtpSink({ light: true });
const prefix = `pbbench-${randomUUID().slice(0, 8)}`;
console.log(`send: ${fmt(N)} subscribers end to end through BullMQ to an SMTP sink — ${machineLine()}`);

// Papers: every seed paper, all inside the daily window before the send time.
const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;
await upsertPapers(database.db, seeds.map((p, i) => ({ ...p, upvotes: (i * 37) % 50, dailyAt: new Date(AS_OF - (i + 1) * 10 * 60_000) })));

// 50 mixes: pairs of topics, half with a keyword, so digests differ.
const mixes = Array.from({ length: 50 }, (_, m) => ({
  topics: [...new Set([topicSlugs[m % topicSlugs.length]!, topicSlugs[(m * 5 + 1) % topicSlugs.length]!])],
  keywords: m % 2 ? ['language model'] : [],
}));
for (let i = 0; i < N; i += 5000) {
  await database.db.insert(subscribers).values(
    Array.from({ length: Math.min(5000, N - i) }, (_, k) => {
      const m = mixes[(i + k) % mixes.length]!;
      return { email: `reader${i + k}@bench.example.org`, status: 'active' as const, topics: m.topics, keywords: m.keywords, sendHour: 7 };
    }),
  );
}

// A real digest of this run, as the ceilings' message: the first one the worker would send.
const sample = await buildSampleDigest();
const digestKb = Buffer.byteLength(sample.html) / 1024;

async function buildSampleDigest() {
  const { createDigestComposer } = await import('../../src/delivery/compose.ts');
  const { loadConfig } = await import('../../src/config.ts');
  const { selectDigest } = await import('../../src/digest/select.ts');
  const { periodOfDate } = await import('../../src/digest/period.ts');
  const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org' });
  const sub = { id: randomUUID(), topics: mixes[0]!.topics, keywords: mixes[0]!.keywords };
  const sel = await selectDigest(database.db, { subscriber: sub, period: periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, DAY) }, config);
  if (sel.kind !== 'digest') throw new Error(`sample mix has no digest: ${sel.reason}`);
  const mail = await createDigestComposer(config, { current: 'x'.repeat(40) }).compose(sel, { id: randomUUID() }, 'sample@bench.example.org', new Date());
  const parsed = (await import('mailparser')).simpleParser(mail.raw);
  const p = await parsed;
  return { subject: mail.subject, html: String(p.html), text: String(p.text) };
}

/** Runs `total` sends with IN_FLIGHT at a time; returns emails/s. */
async function loop(total: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) await send(next++);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

const pool = () => createTransport({ url: sink.url, pool: true, maxConnections: 20, maxMessages: Infinity });

// (a) nodemailer composes every message.
const a = pool();
const rateA = await loop(BASELINE_N, (i) =>
  a.sendMail({
    from: 'paperboy <digest@bench.example.org>',
    to: `a${i}@bench.example.org`,
    subject: sample.subject,
    html: sample.html.replace('sample@bench.example.org', `a${i}@bench.example.org`),
    text: sample.text,
    headers: { 'List-Unsubscribe': `<https://papers.example.org/unsubscribe?token=${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  }),
);
a.close();

// (b) the MIME is built once; each message only substitutes the recipient.
const b = pool();
const template = (await import('nodemailer/lib/mail-composer')).default;
const rawTemplate = await new Promise<string>((resolve, reject) =>
  new template({
    from: 'paperboy <digest@bench.example.org>',
    to: 'RCPT@bench.example.org',
    subject: sample.subject,
    html: sample.html,
    text: sample.text,
    headers: { 'List-Unsubscribe': '<https://papers.example.org/unsubscribe?token=TOKEN>' },
  })
    .compile()
    .build((err: Error | null, msg: Buffer) => (err ? reject(err) : resolve(msg.toString()))),
);
const parts = rawTemplate.split('RCPT');
const rateB = await loop(BASELINE_N, (i) =>
  b.sendMail({ envelope: { from: 'digest@bench.example.org', to: `b${i}@bench.example.org` }, raw: parts.join(`b${i}`) }),
);
b.close();

// End to end: a worker process does everything from the plan job on.
// BENCH_PROFILE=dir writes the worker's CPU profile there; BENCH_NODE_ARGS adds node flags.
const profile = [
  ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
  ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
];
const worker = spawnWorker(
  {
    DATABASE_URL: database.url,
    REDIS_PREFIX: prefix,
    SMTP_URL: sink.url,
    MAIL_FROM: 'paperboy <digest@bench.example.org>',
    PUBLIC_URL: 'https://papers.example.org',
    // The heap cap the README recommends for workers (and docker-compose.yml sets).
    NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256',
  },
  { nodeArgs: profile },
);
const peakRss = () => {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
await sleep(3000); // let it boot and connect
const queues = createQueues({ connection: { url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: null }, prefix });
const envelopesBefore = sink.envelopes.length;
const t0 = performance.now();
await queues.plan.add('plan', { day: DAY });
let rss = 0;
for (;;) {
  await sleep(250);
  rss = Math.max(rss, peakRss());
  const [row] = await queryRows<{ done: number; total: number }>(
    database.db,
    sql`SELECT count(*) FILTER (WHERE status IN ('sent','skipped','failed'))::int AS done, count(*)::int AS total FROM deliveries`,
  );
  if (row && row.total === N && row.done === N) break;
}
const e2eSecs = (performance.now() - t0) / 1000;
const [counts] = await queryRows<{ sent: number; skipped: number; failed: number }>(
  database.db,
  sql`SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'skipped')::int AS skipped, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM deliveries`,
);
const rateE2E = counts!.sent / e2eSecs;
await sleep(500);
const received = sink.envelopes.length - envelopesBefore;
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await queues.close();

console.log(`  digest: ${digestKb.toFixed(1)} KB of HTML; ${IN_FLIGHT} in flight, SMTP pool of 20 connections`);
console.log(`  (a) nodemailer sendMail, ordinary messages   ${fmt(rateA)} emails/s  (${fmt(BASELINE_N)} sent)`);
console.log(`  (b) pre-built raw MIME, per-recipient swap   ${fmt(rateB)} emails/s  (${fmt(BASELINE_N)} sent)`);
console.log(`  end to end (plan → BullMQ → worker → SMTP)    ${fmt(rateE2E)} emails/s  (${fmt(counts!.sent)} sent, ${counts!.skipped} skipped, ${counts!.failed} failed in ${e2eSecs.toFixed(1)} s; sink received ${fmt(received)})`);
console.log(`  worker peak RSS ${rss.toFixed(0)} MB`);
const ok = (b: boolean) => (b ? 'met' : 'MISSED');
console.log(`  targets: ≥ 1.0× (a) ${(rateE2E / rateA).toFixed(2)}× ${ok(rateE2E >= rateA)}; ≥ 60 % of (b) ${((100 * rateE2E) / rateB).toFixed(0)} % ${ok(rateE2E >= 0.6 * rateB)}; ≥ 1,000/s ${ok(rateE2E >= 1000)}; RSS < 300 MB ${ok(rss < 300)}`);

const redis = new Redis('redis://127.0.0.1:6379');
const keys = await redis.keys(`${prefix}:*`);
if (keys.length) await redis.del(...keys);
await redis.quit();
await sink.close();
await database.drop();
