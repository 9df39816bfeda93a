/**
 * End-to-end send, in one run against one sink (Postfix's smtp-sink on
 * 127.0.0.1), side by side:
 *   - smtp-source → smtp-sink: Postfix's own C client, the machine's ceiling;
 *   - a bare Node loop sending pre-built raw MIME with the recipient swapped
 *     per message (nodemailer's pool, with paperboy's dot-stuffing path, as
 *     the worker sends; also printed with nodemailer's own): the Node ceiling;
 *   - shared: 100,000 subscribers over 50 preference mixes (today's case);
 *   - personal: 100,000 subscribers, each with a keyword of their own and
 *     twenty votes, so every digest is different and ranked for its reader.
 * Each case is a plan job through BullMQ to a fresh `paperboy worker` process
 * under the documented heap cap, 40 messages in flight everywhere; the worker
 * is the compiled build the image runs (`npm run build`, done first), or with
 * BENCH_WORKER=source the source through tsx. Printed per
 * case: emails/s, worker peak RSS, CPU of the Postgres backends serving the
 * worker per email, and bytes per delivery row after the send (indexes
 * included). Targets: personal ≥ 0.9× shared; RSS < 300 MB; ≤ 120 µs of
 * Postgres per email; ≤ 300 B per row; ≥ 40 % of smtp-source; ≥ 0.8× Node.
 *
 * Set-up: `apt-get install postfix` (smtp-source, smtp-sink), Postgres and
 * Redis on 127.0.0.1.
 *
 * The cases run in rounds (BENCH_ROUNDS, default 2) in alternating order,
 * shared then personal, then personal then shared, and the targets use each
 * case's totals: a machine whose speed drifts during the run (shared virtual
 * machines do, by a fifth within minutes) drifts under both cases alike.
 *
 *   npm run bench -- send        BENCH_SUBSCRIBERS=1000000 for the full size,
 *                                BENCH_MIXES=1 for every shared reader on one mix,
 *                                BENCH_ROUNDS=1 for one run of each case
 *   BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"  a CPU profile of each worker
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { installFastDotStuffing } from '../../src/mail/dot-stuffing.ts';
import { loadConfig } from '../../src/config.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { selectDigest } from '../../src/digest/select.ts';
import { createBenchDatabase, fmt, machineLine } from './bench-db.ts';
import { addPapers, addSubscribers, addVotes, benchWorkerEntry, clearRun, DAY, MAIL_FROM, MIXES, PUBLIC_URL, runSend, startPostfixSink, uniquePhrases, type RunResult } from './send-harness.ts';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const BASELINE_N = Number(process.env.BENCH_BASELINE ?? 20_000);
const IN_FLIGHT = 40;
const VOTES = 20;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
// The shared case's number of mixes (at most 50): 1 puts every reader on one mix, the case the planner's strided batches are for.
const SHARED_MIXES = MIXES.slice(0, Math.max(1, Math.min(MIXES.length, Number(process.env.BENCH_MIXES ?? MIXES.length))));

const database = await createBenchDatabase();
const sink = await startPostfixSink();
console.log(`send: ${fmt(N)} subscribers per case, end to end through BullMQ to Postfix smtp-sink, workers from ${benchWorkerEntry()} — ${machineLine()}`);
await addPapers(database);

// A real digest of this run, as the ceilings' message.
const config = loadConfig({ PUBLIC_URL, MAIL_FROM });
const sel = await selectDigest(database.db, { subscriber: { id: randomUUID(), ...MIXES[0]! }, period: periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, DAY) }, config);
if (sel.kind !== 'digest') throw new Error(`sample mix has no digest: ${sel.reason}`);
const sample = await createDigestComposer(config, { current: 'x'.repeat(40) }).compose(sel, { id: randomUUID() }, 'RCPT@bench.example.org', new Date());
const rawText = sample.raw.toString('utf8');

// (a) Postfix's smtp-source, messages of the digest's size, connections kept open.
function smtpSource(): number {
  const t0 = performance.now();
  const src = spawnSync('/usr/sbin/smtp-source', ['-s', String(IN_FLIGHT), '-m', String(BASELINE_N), '-l', String(sample.raw.length), '-d', '-f', 'digest@bench.example.org', '-t', 'r@bench.example.org', `127.0.0.1:${sink.port}`]);
  if (src.status !== 0) throw new Error(`smtp-source failed: ${src.stderr}`);
  return BASELINE_N / ((performance.now() - t0) / 1000);
}

// (b) Node: pre-built raw MIME, recipient swapped per message, pooled; run
// with nodemailer as it comes, then with paperboy's dot-stuffing path (the
// carriage the worker uses, so the target compares like with like).
const parts = rawText.split('RCPT');
async function nodeLoop(): Promise<number> {
  const pool = createTransport({ url: sink.url, pool: true, maxConnections: IN_FLIGHT, maxMessages: Infinity });
  let next = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BASELINE_N) {
        const i = next++;
        await pool.sendMail({ envelope: { from: 'digest@bench.example.org', to: `b${i}@bench.example.org` }, raw: parts.join(`b${i}`), messageId: `<b${i}@bench.example.org>` });
      }
    }),
  );
  const rate = BASELINE_N / ((performance.now() - t1) / 1000);
  pool.close();
  return rate;
}
const rateNodeStock = await nodeLoop();
installFastDotStuffing();
// Both ceilings are measured again after the cases, and the targets use the mean.
const ceilings = [{ source: smtpSource(), node: await nodeLoop() }];

const line = (name: string, r: RunResult) =>
  console.log(
    `  ${name.padEnd(52)} ${fmt(r.emailsPerSec).padStart(6)} emails/s  (${fmt(r.sent)} sent, ${fmt(r.skipped)} skipped, ${r.failed} failed in ${r.seconds.toFixed(1)} s)` +
      `  RSS ${r.peakRssMb.toFixed(0)} MB  worker ${r.workerCpuUsPerEmail.toFixed(0)} µs/email  Postgres ${r.pgCpuUsPerEmail.toFixed(0)} µs/email  ${r.bytesPerDelivery.toFixed(0)} B/row` +
      `\n      B/row: ${r.rowBytes}`,
  );
console.log(`  digest: ${(Buffer.byteLength(sample.html()) / 1024).toFixed(1)} KB of HTML, ${(sample.raw.length / 1024).toFixed(1)} KB as MIME; ${IN_FLIGHT} in flight everywhere`);
const ceilingLines = (when: string, c: (typeof ceilings)[number], stock = '') => {
  console.log(`  ${`(a) Postfix smtp-source → smtp-sink${when}`.padEnd(52)} ${fmt(c.source).padStart(6)} emails/s  (${fmt(BASELINE_N)} sent)`);
  console.log(`  ${`(b) Node raw-MIME loop, recipient swapped${when}`.padEnd(52)} ${fmt(c.node).padStart(6)} emails/s  (${fmt(BASELINE_N)} sent${stock})`);
};
ceilingLines(', before', ceilings[0]!, `; ${fmt(rateNodeStock)} with nodemailer's own dot-stuffing`);

const env = { SEND_CONCURRENCY: String(IN_FLIGHT) };
const phrases = uniquePhrases(N);
const cases = {
  shared: {
    name: `shared: ${SHARED_MIXES.length} preference mix${SHARED_MIXES.length === 1 ? '' : 'es'}`,
    seed: () => addSubscribers(database, N, (i) => ({ topics: [...SHARED_MIXES[i % SHARED_MIXES.length]!.topics], keywords: [...SHARED_MIXES[i % SHARED_MIXES.length]!.keywords] })),
  },
  personal: {
    name: `personal: own keyword and ${VOTES} votes each`,
    seed: async () => {
      await addSubscribers(database, N, (i) => ({ topics: [...MIXES[i % MIXES.length]!.topics], keywords: [phrases[i]!] }));
      await addVotes(database, VOTES);
    },
  },
};
type Case = keyof typeof cases;
// Rounds alternate the order (shared, personal, then personal, shared, …):
// on a machine whose speed drifts, the two cases then see the same drift.
const results: Record<Case, RunResult[]> = { shared: [], personal: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of (round % 2 ? ['personal', 'shared'] : ['shared', 'personal']) as Case[]) {
    await cases[kind].seed();
    const r = await runSend(database, { n: N, workers: 1, smtpUrl: sink.url, env });
    line(ROUNDS > 1 ? `${cases[kind].name} (round ${round + 1})` : cases[kind].name, r);
    results[kind].push(r);
    await clearRun(database);
  }
}
/** A case over its rounds: rates from the totals, CPU per email weighted by emails, the worst of memory and bytes. */
const combined = (runs: RunResult[]) => {
  const sent = runs.reduce((n, r) => n + r.sent, 0);
  const per = (f: (r: RunResult) => number) => runs.reduce((n, r) => n + f(r) * r.sent, 0) / sent;
  return {
    emailsPerSec: sent / runs.reduce((n, r) => n + r.seconds, 0),
    workerCpuUsPerEmail: per((r) => r.workerCpuUsPerEmail),
    pgCpuUsPerEmail: per((r) => r.pgCpuUsPerEmail),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    bytesPerDelivery: Math.max(...runs.map((r) => r.bytesPerDelivery)),
  };
};
const shared = combined(results.shared);
const personal = combined(results.personal);
if (ROUNDS > 1) {
  for (const [kind, c] of [['shared', shared], ['personal', personal]] as const)
    console.log(`  ${`${kind}, ${ROUNDS} rounds`.padEnd(52)} ${fmt(c.emailsPerSec).padStart(6)} emails/s  RSS ${c.peakRssMb.toFixed(0)} MB  worker ${c.workerCpuUsPerEmail.toFixed(0)} µs/email  Postgres ${c.pgCpuUsPerEmail.toFixed(0)} µs/email  ${c.bytesPerDelivery.toFixed(0)} B/row`);
}

ceilings.push({ source: smtpSource(), node: await nodeLoop() });
ceilingLines(', after', ceilings[1]!);
const rateSource = (ceilings[0]!.source + ceilings[1]!.source) / 2;
const rateNode = (ceilings[0]!.node + ceilings[1]!.node) / 2;

const ok = (b: boolean) => (b ? 'met' : 'MISSED');
const worst = Math.min(shared.emailsPerSec, personal.emailsPerSec);
console.log(
  `  targets: personal ≥ 0.9× shared ${(personal.emailsPerSec / shared.emailsPerSec).toFixed(2)}× ${ok(personal.emailsPerSec >= 0.9 * shared.emailsPerSec)} ` +
    `(by worker CPU per email ${(shared.workerCpuUsPerEmail / personal.workerCpuUsPerEmail).toFixed(2)}×); ` +
    `RSS < 300 MB ${ok(Math.max(shared.peakRssMb, personal.peakRssMb) < 300)}; ` +
    `Postgres ≤ 120 µs/email ${ok(Math.max(shared.pgCpuUsPerEmail, personal.pgCpuUsPerEmail) <= 120)}; ` +
    `≤ 300 B/row ${ok(Math.max(shared.bytesPerDelivery, personal.bytesPerDelivery) <= 300)}; ` +
    `≥ 40 % of (a) ${((100 * worst) / rateSource).toFixed(0)} % ${ok(worst >= 0.4 * rateSource)}; ≥ 0.8× (b) ${(worst / rateNode).toFixed(2)}× ${ok(worst >= 0.8 * rateNode)}`,
);

await sink.close();
await database.drop();
