/**
 * One fault scenario: a database seeded with papers and FAULT_RECIPIENTS
 * active subscribers (default 300), real `paperboy worker` processes on a
 * Redis of our own, a real SMTP sink process; the test breaks something in the
 * middle of the send, waits for every delivery to settle, and `report()`
 * compares what each recipient received with what the deliveries table says:
 *
 *   lost        an active recipient whose delivery is not failed and who got nothing
 *   duplicated  a recipient who got the same digest more than once
 *   different   a recipient who got two different digests (never allowed)
 *   rejected    the relay answered 550: the delivery failed, counted apart
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { subscribers } from '../../src/db/schema.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { freePort } from '../helpers/ports.ts';
import { startSmtpSink, type SinkOptions, type SmtpSink } from '../helpers/smtp-sink.ts';
import { spawnWorker } from '../helpers/worker-process.ts';
import { afterEach } from 'vitest';
import type { createTestDatabase } from '../helpers/postgres.ts';
import type { OwnRedis } from '../helpers/own-servers.ts';

export const RECIPIENTS = Number(process.env.FAULT_RECIPIENTS ?? 300);

const DOMAIN = 'faults.example.org';
export const emailOf = (i: number) => `reader${i}@${DOMAIN}`;

/** Seeds papers (appeared over the last hours) and `n` active subscribers due now in three zones. */
export async function seed(db: Database['db'], n = RECIPIENTS): Promise<void> {
  const seeds = (await fileSource('seeds/papers.json').fetch()).papers.slice(0, 40);
  const now = Date.now();
  await upsertPapers(db, seeds.map((p, i) => ({ ...p, dailyAt: new Date(now - (i + 1) * 3_600_000) })));
  const mixes: string[][] = [[], ['llm'], ['reasoning'], ['vision', 'multimodal'], ['efficiency'], ['llm', 'data']];
  const rows = Array.from({ length: n }, (_, i) => ({
    email: emailOf(i),
    status: 'active' as const,
    topics: mixes[i % mixes.length]!,
    sendHour: 0,
    timezone: ['UTC', 'Europe/Berlin', 'America/New_York'][i % 3]!,
  }));
  for (let i = 0; i < rows.length; i += 1000) await db.insert(subscribers).values(rows.slice(i, i + 1000));
}

export const statusCounts = async (db: Database['db']) =>
  Object.fromEntries(
    ((await db.execute(sql`SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`)) as unknown as { rows: { status: string; n: number }[] }).rows.map((r) => [r.status, r.n]),
  ) as Record<string, number>;

/** Opens (and migrates) the database at `url`. */
export async function openScenarioDatabase(url: string): Promise<Database> {
  const database = await openDatabase({ url, poolSize: 4 });
  await migrateDatabase(database);
  return database;
}

export interface WorkerHandle {
  proc: ChildProcess;
  metricsPort: number;
  /** Its log lines so far (JSON, pino). */
  lines: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ScenarioOptions {
  databaseUrl: string;
  redisUrl: string;
  sink?: SinkOptions;
  /** Extra worker environment (SEND_LEASE_SECONDS, SEND_CONCURRENCY, ...). */
  env?: Record<string, string>;
}

export interface Scenario {
  sinks: SmtpSink[];
  readonly sink: SmtpSink;
  startWorker(env?: Record<string, string>): Promise<WorkerHandle>;
  workers: WorkerHandle[];
  /** Stops the relay; `restartRelay` brings it back on the same port. */
  stopRelay(): Promise<void>;
  restartRelay(): Promise<void>;
  close(): Promise<void>;
}

export async function startScenario(opts: ScenarioOptions): Promise<Scenario> {
  const sinks = [await startSmtpSink({ light: true, ...opts.sink })];
  const port = sinks[0]!.port;
  const workers: WorkerHandle[] = [];
  const prefix = `pbfault-${randomUUID().slice(0, 8)}`;
  return {
    sinks,
    get sink() {
      return sinks[sinks.length - 1]!;
    },
    workers,
    async startWorker(env = {}) {
      const metricsPort = await freePort();
      const proc = spawnWorker(
        {
          DATABASE_URL: opts.databaseUrl,
          REDIS_URL: opts.redisUrl,
          REDIS_PREFIX: prefix,
          SMTP_URL: `smtp://127.0.0.1:${port}`,
          MAIL_FROM: `paperboy <digest@${DOMAIN}>`,
          SEND_LEASE_SECONDS: '10',
          SEND_BATCH_SIZE: '25',
          SEND_CONCURRENCY: '5',
          // The planner ticks every 2 s, so stranded deliveries are resumed quickly.
          PLAN_CRON: '*/2 * * * * *',
          METRICS_PORT: String(metricsPort),
          LOG_LEVEL: 'info',
          ...opts.env,
          ...env,
        },
        { stdout: 'pipe' },
      );
      const lines: string[] = [];
      let rest = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop()!;
        lines.push(...parts.filter((l) => /"level":(40|50|60)/.test(l) || l.includes('send run finished')));
      });
      const handle: WorkerHandle = {
        proc,
        metricsPort,
        lines,
        async kill(signal = 'SIGKILL') {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill(signal);
          await exited;
        },
      };
      workers.push(handle);
      return handle;
    },
    async stopRelay() {
      await sinks[sinks.length - 1]!.close();
    },
    async restartRelay() {
      sinks.push(await startSmtpSink({ light: true, ...opts.sink, port }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.kill()));
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}

/** Waits until at least `n` deliveries are sent (the fault then strikes mid-send). */
export async function waitForSent(db: Database['db'], n: number, timeoutMs = 120_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ((await statusCounts(db)).sent ?? 0) < n; await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} sent after ${timeoutMs} ms: ${JSON.stringify(await statusCounts(db))}`);
  }
}

/** Waits until every recipient has a delivery and none is queued or sending. */
export async function waitSettled(db: Database['db'], n = RECIPIENTS, timeoutMs = 240_000): Promise<Record<string, number>> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(500)) {
    const c = await statusCounts(db);
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    if (total === n && !c.queued && !c.sending) return c;
    if (Date.now() > deadline) throw new Error(`not settled after ${timeoutMs} ms: ${JSON.stringify(c)}`);
  }
}

export interface FaultReport {
  scenario: string;
  recipients: number;
  received: number;
  lost: string[];
  duplicated: string[];
  different: string[];
  rejected: number;
}

/** Compares what arrived (every sink so far) with the deliveries table, per recipient. */
export async function report(scenario: string, db: Database['db'], sinks: SmtpSink[], n = RECIPIENTS): Promise<FaultReport> {
  await sleep(500); // the last envelopes over IPC
  const byRecipient = new Map<string, { messageId: string; content: string }[]>();
  let received = 0;
  for (const e of sinks.flatMap((s) => s.envelopes)) {
    for (const to of e.to) {
      received++;
      byRecipient.set(to, [...(byRecipient.get(to) ?? []), { messageId: e.messageId, content: e.content }]);
    }
  }
  const failed = new Set(
    ((await db.execute(sql`SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.status = 'failed'`)) as unknown as { rows: { email: string }[] }).rows.map((r) => r.email),
  );
  const out: FaultReport = { scenario, recipients: n, received, lost: [], duplicated: [], different: [], rejected: failed.size };
  for (let i = 0; i < n; i++) {
    const email = emailOf(i);
    const got = byRecipient.get(email) ?? [];
    if (!got.length && !failed.has(email)) out.lost.push(email);
    if (new Set(got.map((g) => `${g.messageId} ${g.content}`)).size > 1) out.different.push(email);
    else if (got.length > 1) out.duplicated.push(email);
  }
  console.log(
    `fault ${scenario}: ${n} recipients, ${received} messages · lost ${out.lost.length} · duplicated ${out.duplicated.length} · different content ${out.different.length} · rejected (550) ${out.rejected}`,
  );
  return out;
}

/** A worker's Prometheus text. */
export async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** What one fault test opens: its database, its own Redis and the scenario's processes. */
export interface FaultResources {
  database?: Awaited<ReturnType<typeof createTestDatabase>>;
  redis?: OwnRedis;
  scenario?: Scenario;
}

/** The resources of a test file's fault tests, closed (processes first) and forgotten after each test. */
export function faultResources(): FaultResources {
  const t: FaultResources = {};
  afterEach(async () => {
    await t.scenario?.close();
    await Promise.all([t.redis?.stop(), t.database?.drop()]);
    t.scenario = t.redis = t.database = undefined;
  });
  return t;
}
