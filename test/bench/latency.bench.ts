/**
 * Concurrency against a slow relay: an SMTP sink (smtp-server, its own
 * process) that answers each message 50 ms after it arrives, like a relay
 * across a WAN. One worker with SEND_CONCURRENCY=100 (so 100 messages in
 * flight over 100 pooled connections) should send ≥ 1,000 emails/s (Little's
 * law allows 100 / 0.05 s = 2,000); then 1, 2 and 4 workers side by side.
 * Workers run the compiled build (send-harness.ts; BENCH_WORKER=source for tsx).
 *   npm run bench -- latency     (BENCH_SUBSCRIBERS per case, default 20,000)
 */
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { createBenchDatabase, fmt, machineLine } from './bench-db.ts';
import { addPapers, addSubscribers, benchWorkerEntry, clearRun, MIXES, runSend } from './send-harness.ts';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 20_000);
const DELAY_MS = 50;
const CONCURRENCY = 100;

const database = await createBenchDatabase();
const sink = await startSmtpSink({ light: true, delayMs: DELAY_MS });
console.log(`latency: ${fmt(N)} subscribers per case, a sink answering after ${DELAY_MS} ms, SEND_CONCURRENCY=${CONCURRENCY}, workers from ${benchWorkerEntry()} — ${machineLine()}`);
await addPapers(database);

const results: { workers: number; rate: number; rss: number }[] = [];
for (const workers of [1, 2, 4]) {
  await addSubscribers(database, N, (i) => ({ topics: [...MIXES[i % MIXES.length]!.topics], keywords: [...MIXES[i % MIXES.length]!.keywords] }));
  const r = await runSend(database, { n: N, workers, smtpUrl: sink.url, env: { SEND_CONCURRENCY: String(CONCURRENCY) } });
  await clearRun(database);
  results.push({ workers, rate: r.emailsPerSec, rss: r.peakRssMb });
  console.log(
    `  ${workers} worker${workers > 1 ? 's' : ' '} × ${CONCURRENCY} in flight   ${fmt(r.emailsPerSec).padStart(6)} emails/s  (${fmt(r.sent)} sent in ${r.seconds.toFixed(1)} s; ` +
      `Little's law ceiling ${fmt((workers * CONCURRENCY * 1000) / DELAY_MS)}/s; peak RSS ${r.peakRssMb.toFixed(0)} MB; worker CPU ${fmt(r.workerCpuUsPerEmail)} µs/email)`,
  );
}
const one = results[0]!.rate;
console.log(`  target: one worker ≥ 1,000 emails/s ${one >= 1000 ? 'met' : 'MISSED'} (${fmt(one)}); scaling ${results.map((r) => `${r.workers}: ${(r.rate / one).toFixed(2)}×`).join(', ')}`);

await sink.close();
await database.drop();
