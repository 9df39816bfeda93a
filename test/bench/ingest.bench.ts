/**
 * Ingestion: upsert 100,000 papers into a fresh Postgres database, then the
 * same 100,000 again (all unchanged), then again with every upvote changed.
 * Target: ≥ 20,000 papers/s for the first pass on the 2-core machine.
 *   npx tsx test/bench/ingest.bench.ts   (or: npm run bench)
 */
import { readFileSync } from 'node:fs';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { parseEntries, type PaperInput } from '../../src/papers/paper.ts';
import { createBenchDatabase, fmt, machineLine, postgresCpuMs } from './bench-db.ts';

const N = Number(process.env.BENCH_PAPERS ?? 100_000);
const TARGET = 20_000;

// Real titles and abstracts from the seeds, cycled under fresh ids, so the
// tagger and the full-text vector do realistic work.
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
  return rate;
}

const database = await createBenchDatabase();
try {
  console.log(`ingest: upsert ${fmt(N)} papers into Postgres — ${machineLine()}`);
  const first = await timed('first pass (all new)', () => upsertPapers(database.db, papers));
  await timed('second pass (unchanged)', () => upsertPapers(database.db, papers));
  const bumped = papers.map((p) => ({ ...p, upvotes: p.upvotes + 1 }));
  await timed('third pass (upvotes changed)', () => upsertPapers(database.db, bumped));
  console.log(`  target ≥ ${fmt(TARGET)} papers/s for the first pass: ${first >= TARGET ? 'met' : 'MISSED'}`);
} finally {
  await database.drop();
}
