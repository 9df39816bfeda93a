/**
 * Ingestion's write path: upsert 60,000 papers (about all of Daily Papers'
 * history) into a fresh Postgres database, then the same 60,000 again (all
 * unchanged), then again with every upvote changed. Fetching that history is
 * bound by the API's rate limit (minutes); the write must not be: target
 * ≤ 15 s for the first pass on the 2-core machine.
 *   npm run bench -- ingest
 */
import { readFileSync } from 'node:fs';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries, type PaperInput } from '../../src/papers/paper.ts';
import { createBenchDatabase, fmt, machineLine, postgresCpuMs } from './bench-db.ts';

const N = Number(process.env.BENCH_PAPERS ?? 60_000);
const TARGET_SECONDS = 15;

// Real titles and abstracts from the seeds, cycled under fresh ids, so the
// tagger does realistic work.
const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;
const papers: PaperInput[] = Array.from({ length: N }, (_, i) => {
  const s = seeds[i % seeds.length]!;
  return { ...s, id: `bench.${i}`, upvotes: i % 97, dailyAt: new Date(Date.UTC(2025, 11, 1 + (i % 14))) };
});

async function timed(label: string, fn: () => Promise<unknown>): Promise<number> {
  const [cpu, pg, t0] = [process.cpuUsage(), postgresCpuMs(), performance.now()];
  const result = await fn();
  const secs = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const perPaper = (us: number) => `${(us / N).toFixed(0)} µs`;
  const rate = N / secs;
  console.log(
    `  ${label.padEnd(28)} ${secs.toFixed(2)} s  ${fmt(rate)} papers/s  ${JSON.stringify(result)}  ` +
      `CPU per paper: this process ${perPaper(used.user + used.system)}, Postgres ${perPaper((postgresCpuMs() - pg) * 1000)}`,
  );
  return secs;
}

const database = await createBenchDatabase();
try {
  console.log(`ingest: upsert ${fmt(N)} papers into Postgres — ${machineLine()}`);
  const first = await timed('first pass (all new)', () => upsertPapers(database.db, papers));
  await timed('second pass (unchanged)', () => upsertPapers(database.db, papers));
  const bumped = papers.map((p) => ({ ...p, upvotes: p.upvotes + 1 }));
  await timed('third pass (upvotes changed)', () => upsertPapers(database.db, bumped));
  console.log(`  target ≤ ${TARGET_SECONDS} s for the first pass: ${first <= TARGET_SECONDS ? 'met' : 'MISSED'}`);
} finally {
  await database.drop();
}
