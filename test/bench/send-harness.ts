/**
 * Shared by the send and latency benchmarks: a bench database with every seed
 * paper inside the daily window, subscribers inserted in bulk, `paperboy
 * worker` processes sending a plan to a sink, and what a run cost (time,
 * worker peak RSS, CPU of the Postgres backends serving the workers, bytes
 * per delivery row).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { papers, subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries, type PaperInput } from '../../src/papers/paper.ts';
import { topicSlugs } from '../../src/papers/topics.ts';
import { COMPILED_ENTRY, SOURCE_ENTRY } from '../helpers/entries.ts';
import { spawnWorker } from '../helpers/worker-process.ts';
import { createBenchDatabase } from './bench-db.ts';

export const DAY = '2025-12-16';
export const AS_OF = Date.parse(`${DAY}T07:00:00Z`);
export const MAIL_FROM = 'paperboy <digest@bench.example.org>';
export const PUBLIC_URL = 'https://papers.example.org';
// Tags this bench's worker connections, so their backends' CPU can be read apart.
const APP = 'paperboy-bench-worker';

export type BenchDatabase = Awaited<ReturnType<typeof createBenchDatabase>>;

export function seedPapers(): PaperInput[] {
  return parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;
}

/** Every seed paper, all inside the daily window before the send time. */
export async function addPapers(database: BenchDatabase): Promise<void> {
  await upsertPapers(database.db, seedPapers().map((p, i) => ({ ...p, upvotes: (i * 37) % 50, dailyAt: new Date(AS_OF - (i + 1) * 10 * 60_000) })));
}

/** Fifty mixes: pairs of topics, half with a keyword, so digests differ (today's shared case). */
export const MIXES = Array.from({ length: 50 }, (_, m) => ({
  topics: [...new Set([topicSlugs[m % topicSlugs.length]!, topicSlugs[(m * 5 + 1) % topicSlugs.length]!])],
  keywords: m % 2 ? ['language model'] : [],
}));

/**
 * `n` distinct phrases of two to five words from the seed abstracts: a keyword
 * of one's own for each subscriber, that matches the paper it came from.
 */
export function uniquePhrases(n: number): string[] {
  const out = new Set<string>();
  const words = seedPapers().map((p) => p.summary.toLowerCase().match(/[a-z][a-z-]{2,}/g) ?? []);
  for (let len = 2; len <= 5 && out.size < n; len++) {
    for (const w of words) for (let i = 0; i + len <= w.length && out.size < n; i++) out.add(w.slice(i, i + len).join(' '));
  }
  if (out.size < n) throw new Error(`only ${out.size} distinct phrases in the seed abstracts`);
  return [...out];
}

export async function addSubscribers(database: BenchDatabase, n: number, prefs: (i: number) => { topics: string[]; keywords: string[] }): Promise<void> {
  for (let i = 0; i < n; i += 5000) {
    await database.db.insert(subscribers).values(
      Array.from({ length: Math.min(5000, n - i) }, (_, k) => ({
        email: `reader${i + k}@bench.example.org`,
        status: 'active' as const,
        ...prefs(i + k),
        sendHour: 7,
      })),
    );
  }
}

/**
 * `perSubscriber` votes for every subscriber (the personal case's "about twenty
 * votes"): papers of the bench's window picked per subscriber, two thirds More
 * like this and a third Less, one a day back from DAY. One statement per
 * 10,000 subscribers.
 */
export async function addVotes(database: BenchDatabase, perSubscriber: number): Promise<void> {
  const rows = await database.db.select({ id: papers.id }).from(papers).orderBy(papers.id);
  const ids = await queryRows<{ id: string }>(database.db, sql`SELECT id FROM subscribers ORDER BY id`);
  for (let i = 0; i < ids.length; i += 10_000) {
    await database.db.execute(sql`
      INSERT INTO profile_votes (subscriber_id, paper_id, vote, at)
      SELECT DISTINCT ON (s.id, p.id) s.id, p.id, CASE WHEN k % 3 = 2 THEN 'less' ELSE 'more' END,
             ${new Date(AS_OF).toISOString()}::timestamptz - make_interval(days => k + 1)
      FROM unnest(${sql.param(ids.slice(i, i + 10_000).map((r) => r.id))}::uuid[]) AS s(id)
      CROSS JOIN generate_series(0, ${perSubscriber - 1}) AS k
      JOIN unnest(${sql.param(rows.map((r) => r.id))}::text[]) WITH ORDINALITY AS p(id, n)
        ON p.n - 1 = (abs(hashtext(s.id::text)::bigint) + k * 13) % ${rows.length}`);
  }
  // Real votes arrive a click at a time and autovacuum analyses the table as
  // it grows; millions inserted at once (with autovacuum off, as on the CI
  // machine) leave Postgres guessing, and it read all of them for every
  // batch's profile load (745 ms a batch at 2,000,000 votes).
  await database.db.execute(sql`ANALYZE profile_votes`);
}

export const peakRssMb = (pid: number | undefined) => {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

/** User + system CPU (ms) of one process so far (all its threads); 0 once it is gone. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * User + system CPU (ms) of the Postgres backends serving this bench's
 * workers, added to `seen` (pid → CPU at its last reading). Called at every
 * poll: a backend whose connection the pool closes during the run (idle
 * timeout) keeps the CPU it was last read at instead of vanishing from the
 * sum.
 */
async function readBackendsCpu(database: BenchDatabase, seen: Map<number, number>): Promise<void> {
  // This database's only: another bench on the same server tags its workers alike.
  const rows = await queryRows<{ pid: number }>(
    database.db,
    sql`SELECT pid FROM pg_stat_activity WHERE application_name = ${APP} AND datname = current_database()`,
  );
  for (const { pid } of rows) seen.set(pid, Math.max(seen.get(pid) ?? 0, processCpuMs(pid)));
}

export interface RunResult {
  seconds: number;
  sent: number;
  skipped: number;
  failed: number;
  emailsPerSec: number;
  peakRssMb: number;
  /** CPU of the workers' Postgres backends per email sent (plan included), µs. */
  pgCpuUsPerEmail: number;
  /** CPU of the worker processes per email sent (boot, plan and every thread included), µs: comparable across machines' noise where emails/s is not. */
  workerCpuUsPerEmail: number;
  /** pg_total_relation_size('deliveries') / rows, right after the send. */
  bytesPerDelivery: number;
  /** Where those bytes are, per row: the heap's live tuples, dead ones and free space, and each index. */
  rowBytes: string;
}

/**
 * What the benches' workers run: the compiled build, as the image does
 * (built once per bench process, so it is never older than src), or with
 * BENCH_WORKER=source the source through tsx, as `npm start` does.
 */
let workerEntry: string | undefined;
export function benchWorkerEntry(): string {
  if (workerEntry) return workerEntry;
  if (process.env.BENCH_WORKER === 'source') return (workerEntry = SOURCE_ENTRY);
  if (process.env.BENCH_WORKER && process.env.BENCH_WORKER !== 'compiled') throw new Error(`BENCH_WORKER is "${process.env.BENCH_WORKER}"; use compiled (the default) or source`);
  const build = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed: the benches run the compiled worker');
  return (workerEntry = COMPILED_ENTRY);
}

/**
 * Plans DAY with `workers` fresh worker processes and waits until every one of
 * `n` deliveries is settled. Deliveries and subscribers are then the caller's
 * to clear.
 */
export async function runSend(database: BenchDatabase, opts: { n: number; workers: number; smtpUrl: string; env?: Record<string, string> }): Promise<RunResult> {
  const entry = benchWorkerEntry();
  const prefix = `pbbench-${randomUUID().slice(0, 8)}`;
  const url = new URL(database.url);
  url.searchParams.set('application_name', APP);
  const procs: ChildProcess[] = Array.from({ length: opts.workers }, () =>
    spawnWorker({
      DATABASE_URL: url.toString(),
      REDIS_PREFIX: prefix,
      SMTP_URL: opts.smtpUrl,
      MAIL_FROM,
      PUBLIC_URL,
      // The heap cap the README recommends for workers (and docker-compose.yml sets).
      NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256',
      // Several workers on one machine: no metrics listener each.
      METRICS_PORT: '0',
      ...opts.env,
    }, { nodeArgs: process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean), entry }),
  );
  await sleep(3000); // let them boot and connect
  const queues = createQueues({ connection: { url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: null }, prefix });
  const statements = await statementsReset(database);
  // The HOT share printed after the run is this run's (TRUNCATE keeps the counters).
  await database.db.execute(sql`SELECT pg_stat_reset_single_table_counters('deliveries'::regclass)`).catch(() => undefined);
  const t0 = performance.now();
  await queues.plan.add('plan', { day: DAY });
  let rss = 0;
  const backends = new Map<number, number>();
  // Counting every row is itself work for Postgres: poll less often for large runs.
  const poll = opts.n >= 50_000 ? 2000 : 500;
  for (;;) {
    await sleep(poll);
    rss = Math.max(rss, ...procs.map((p) => peakRssMb(p.pid)));
    await readBackendsCpu(database, backends);
    const [row] = await queryRows<{ open: number; total: number }>(
      database.db,
      sql`SELECT count(*) FILTER (WHERE status IN ('queued','sending'))::int AS open, count(*)::int AS total FROM deliveries`,
    );
    if (row && row.total === opts.n && row.open === 0) break;
    if (procs.some((p) => p.exitCode !== null)) throw new Error('a worker exited during the run (out of memory?)');
  }
  const seconds = (performance.now() - t0) / 1000;
  await readBackendsCpu(database, backends);
  const pgMs = [...backends.values()].reduce((a, b) => a + b, 0);
  const workerMs = procs.reduce((ms, p) => ms + processCpuMs(p.pid), 0);
  if (statements) await printStatements(database);
  const [c] = await queryRows<{ sent: number; skipped: number; failed: number; bytes: number }>(
    database.db,
    sql`SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
               count(*) FILTER (WHERE status = 'failed')::int AS failed, pg_total_relation_size('deliveries')::float8 / count(*) AS bytes
        FROM deliveries`,
  );
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.once('exit', r)))));
  // After the workers are gone: their backends have reported their statistics.
  const rowBytes = await deliveryBytes(database);
  await queues.close();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  return {
    seconds,
    ...c!,
    emailsPerSec: c!.sent / seconds,
    peakRssMb: rss,
    pgCpuUsPerEmail: (1000 * pgMs) / Math.max(1, c!.sent),
    workerCpuUsPerEmail: (1000 * workerMs) / Math.max(1, c!.sent),
    bytesPerDelivery: c!.bytes,
    rowBytes,
  };
}

/**
 * The bytes of `deliveries` per row, by where they are: the heap (live tuples
 * with their line pointers, dead tuples, free space, from pgstattuple when the
 * server has it) and each index.
 */
async function deliveryBytes(database: BenchDatabase): Promise<string> {
  const [{ n }] = (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::float8 AS n FROM deliveries`)) as [{ n: number }];
  const per = (b: number) => (b / Math.max(1, n)).toFixed(0);
  const parts: string[] = [];
  const [heap] = await queryRows<{ bytes: number }>(database.db, sql`SELECT pg_relation_size('deliveries')::float8 AS bytes`);
  let detail = '';
  try {
    await database.db.execute(sql`CREATE EXTENSION IF NOT EXISTS pgstattuple`);
    const [t] = await queryRows<{ live: number; dead: number; free: number; avg: number }>(
      database.db,
      sql`SELECT tuple_len::float8 AS live, dead_tuple_len::float8 AS dead, free_space::float8 AS free, tuple_len::float8 / greatest(tuple_count, 1) AS avg FROM pgstattuple('deliveries')`,
    );
    detail = ` (live tuples ${per(t!.live)}, avg tuple ${t!.avg.toFixed(0)}, dead ${per(t!.dead)}, free ${per(t!.free)})`;
  } catch {
    // No pgstattuple on this server: the heap's total only.
  }
  parts.push(`heap ${per(heap!.bytes)}${detail}`);
  const indexes = await queryRows<{ name: string; bytes: number }>(
    database.db,
    sql`SELECT c.relname AS name, pg_relation_size(c.oid)::float8 AS bytes FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
        WHERE x.indrelid = 'deliveries'::regclass ORDER BY c.relname`,
  );
  for (const i of indexes) parts.push(`${i.name.replace(/^deliveries_/, '')} ${per(i.bytes)}`);
  const [toast] = await queryRows<{ bytes: number }>(
    database.db,
    sql`SELECT (pg_total_relation_size('deliveries') - pg_relation_size('deliveries') - pg_indexes_size('deliveries'))::float8 AS bytes`,
  );
  if (toast!.bytes) parts.push(`toast+fsm+vm ${per(toast!.bytes)}`);
  // An update that is not heap-only (its page had no room) adds an entry to every index.
  await sleep(1000);
  const [u] = await queryRows<{ upd: number; hot: number }>(
    database.db,
    sql`SELECT n_tup_upd::float8 AS upd, n_tup_hot_upd::float8 AS hot FROM pg_stat_user_tables WHERE relname = 'deliveries'`,
  );
  if (u?.upd) parts.push(`${((100 * u.hot) / u.upd).toFixed(1)} % of updates HOT`);
  return parts.join(', ');
}

/**
 * Where the workers' Postgres time goes, when the server loads
 * pg_stat_statements (`shared_preload_libraries`): reset before a run, the
 * dearest statements printed after it. Nothing is printed without it.
 */
async function statementsReset(database: BenchDatabase): Promise<boolean> {
  try {
    await database.db.execute(sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
    // This database's statements only: a bench running beside this one keeps its own.
    await database.db.execute(sql`SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`);
    return true;
  } catch {
    return false;
  }
}

async function printStatements(database: BenchDatabase): Promise<void> {
  const rows = await queryRows<{ calls: number; ms: number; rows: number; query: string }>(
    database.db,
    sql`SELECT calls::int, total_exec_time::float8 AS ms, rows::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 10`,
  );
  for (const r of rows) console.log(`      ${r.ms.toFixed(0).padStart(7)} ms ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(8)} rows  ${r.query}`);
}

/** Empties subscribers and deliveries for the next case. */
export async function clearRun(database: BenchDatabase): Promise<void> {
  await database.db.execute(sql`TRUNCATE deliveries, audit_events, subscribers, runs CASCADE`);
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Postfix's smtp-sink (C): accepts everything as fast as the machine allows. `apt-get install postfix`. */
export async function startPostfixSink(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', `127.0.0.1:${port}`, '1024'], { stdio: ['ignore', 'ignore', 'inherit'] });
  // A bench that throws must not leave the sink running.
  process.once('exit', () => child.kill('SIGTERM'));
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const up = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (up) break;
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}
