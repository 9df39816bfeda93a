/**
 * The planner at 10,000, 100,000 and 1,000,000 subscribers: one plan job (the
 * BullMQ worker's, `planAndEnqueue`) in a process of its own under the heap
 * cap the README recommends, creating every delivery and enqueuing every send
 * batch in Redis. Printed side by side: seconds and the planner process's
 * peak RSS. Targets: the million under `--max-old-space-size=256`, ≤ 30 s,
 * memory flat in N.
 *   npm run bench -- plan        (BENCH_PLAN_SIZES=10000,100000 to choose)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createQueues } from '../../src/jobs/queues.ts';
import { createBenchDatabase, fmt, machineLine } from './bench-db.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const DAY = '2025-12-16';

if (process.argv[2] === 'planner') await planner(process.argv[3]!, process.argv[4]!);
else await main();

/** The child: one plan job, then its own figures as one JSON line. */
async function planner(url: string, prefix: string): Promise<void> {
  const [{ openDatabase }, { loadConfig }, { createLogger }, { planAndEnqueue }, { createMailer }] = await Promise.all([
    import('../../src/db/client.ts'),
    import('../../src/config.ts'),
    import('../../src/log.ts'),
    import('../../src/jobs/bullmq-workers.ts'),
    import('../../src/mail/create-mailer.ts'),
  ]);
  const config = loadConfig({ DATABASE_URL: url, REDIS_URL, REDIS_PREFIX: prefix, SECRET: 'p'.repeat(40), PUBLIC_URL: 'https://papers.example.org' });
  const database = await openDatabase({ url, poolSize: 2 });
  const queues = createQueues({ connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix });
  const ctx = { config, db: database.db, log: createLogger('warn'), mailer: createMailer(config), secrets: { current: 'p'.repeat(40) }, now: () => new Date() };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await planAndEnqueue(ctx, queues, DAY);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const { readFileSync } = await import('node:fs');
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, peakMb, planned: summary.planned, batches: summary.batches })}\n`);
  await queues.close();
  await database.close();
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_PLAN_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  console.log(`plan: one plan job per size, in its own process under --max-old-space-size=256 — ${machineLine()}`);
  const results: { n: number; seed: number; seconds: number; cpuSeconds: number; peakMb: number; batches: number }[] = [];
  for (const n of sizes) {
    const database = await createBenchDatabase();
    const prefix = `pbplan-${randomUUID().slice(0, 8)}`;
    try {
      const t0 = performance.now();
      // 50 preference mixes over 24 zones and send hours: the planner sorts each chunk by them.
      await database.db.execute(sql`
        INSERT INTO subscribers (email, status, topics, frequency, timezone, send_hour)
        SELECT 'reader' || g || '@bench.example.org', 'active', ARRAY['topic' || (g % 50)], CASE WHEN g % 10 = 0 THEN 'weekly' ELSE 'daily' END,
               (ARRAY['UTC','Europe/Berlin','America/New_York','Asia/Tokyo'])[1 + g % 4], g % 24
        FROM generate_series(1, ${n}) g`);
      await database.db.execute(sql`VACUUM ANALYZE subscribers`);
      const seed = (performance.now() - t0) / 1000;
      const child = spawn(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', new URL(import.meta.url).pathname, 'planner', database.url, prefix], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      if (code !== 0) throw new Error(`planner for ${n} exited with ${code}`);
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; cpuSeconds: number; peakMb: number; planned: number; batches: number };
      if (r.planned !== n) throw new Error(`planned ${r.planned} of ${n}`);
      const queues = createQueues({ connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix });
      const jobs = await queues.send.getJobCountByTypes('wait', 'prioritized', 'delayed');
      if (jobs !== r.batches) throw new Error(`${jobs} send jobs in Redis for ${r.batches} batches`);
      await queues.send.obliterate({ force: true });
      await queues.close();
      results.push({ n, seed, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakMb: r.peakMb, batches: r.batches });
      console.log(`  ${fmt(n)} subscribers seeded in ${seed.toFixed(1)} s; planned and enqueued (${fmt(r.batches)} send jobs) in ${r.seconds.toFixed(2)} s, peak RSS ${r.peakMb.toFixed(0)} MB`);
    } finally {
      await database.drop();
    }
  }
  console.log('\n  subscribers   plan+enqueue   per 100k   planner CPU   planner peak RSS');
  for (const r of results) {
    const cells = [`${r.seconds.toFixed(2)} s`.padStart(12), `${((r.seconds / r.n) * 100_000).toFixed(2)} s`.padStart(8), `${r.cpuSeconds.toFixed(2)} s`.padStart(11), `${r.peakMb.toFixed(0)} MB`.padStart(16)];
    console.log(`  ${fmt(r.n).padStart(11)}   ${cells.join('   ')}`);
  }
}
