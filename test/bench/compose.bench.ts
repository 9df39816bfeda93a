/**
 * What a reader-tuned digest costs the worker over a shared one, measured so
 * that the machine's drift cancels: in one process, batches of 100 readers
 * of each kind alternate (shared, personal, then personal, shared, …), and
 * each batch's CPU time goes to its kind. A batch is what a send batch does
 * before it claims: read the readers' votes, follows and mutes, choose and
 * order each digest (selectDigests) and compose each message (the composer),
 * against the send bench's papers in Postgres on 127.0.0.1. Claiming,
 * sending and recording outcomes are the same work for both kinds, so they
 * are left out: this is the part of `npm run bench -- send` that differs.
 *
 * - shared: readers over the send bench's 50 preference mixes;
 * - personal: each with a keyword of their own and twenty votes.
 *
 * Printed: CPU per email of this process (user + system) and of every
 * Postgres process, per kind, and the personal extra; with `BENCH_SEND_US`
 * (the send bench's worker CPU per email in its shared case, measured on the
 * same machine) also what that extra makes of issue 12's ≥ 0.9× target.
 *   npm run bench -- compose     BENCH_SUBSCRIBERS=4000 per kind
 */
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.ts';
import { queryRows } from '../../src/db/rows.ts';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { newSelectionRun, selectDigests, windowPapers, type DigestRequest } from '../../src/digest/select.ts';
import { createBenchDatabase, fmt, machineLine, postgresCpuMs } from './bench-db.ts';
import { addPapers, addSubscribers, addVotes, DAY, MAIL_FROM, MIXES, PUBLIC_URL, uniquePhrases } from './send-harness.ts';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 4000);
const BATCH = 100;
const VOTES = 20;
const SEND_US = process.env.BENCH_SEND_US ? Number(process.env.BENCH_SEND_US) : undefined;

const database = await createBenchDatabase();
console.log(`compose: ${fmt(N)} readers per kind, select + compose in alternating batches of ${BATCH} — ${machineLine()}`);
await addPapers(database);
// The personal readers first, so that addVotes (every subscriber) votes for them only.
const phrases = uniquePhrases(N);
await addSubscribers(database, N, (i) => ({ topics: [...MIXES[i % MIXES.length]!.topics], keywords: [phrases[i]!] }));
await addVotes(database, VOTES);
await database.db.execute(sql`UPDATE subscribers SET email = 'personal-' || email`);
await addSubscribers(database, N, (i) => ({ topics: [...MIXES[i % MIXES.length]!.topics], keywords: [...MIXES[i % MIXES.length]!.keywords] }));

type Reader = DigestRequest['subscriber'] & { email: string };
const readers = await queryRows<Reader>(
  database.db,
  sql`SELECT id, email, status, topics, keywords, frequency, timezone, send_hour AS "sendHour" FROM subscribers ORDER BY id`,
);
const kinds = {
  shared: readers.filter((r) => !r.email.startsWith('personal-')),
  personal: readers.filter((r) => r.email.startsWith('personal-')),
};
type Kind = keyof typeof kinds;

const config = loadConfig({ PUBLIC_URL, MAIL_FROM });
const composer = createDigestComposer(config, { current: 'x'.repeat(40) });
const run = newSelectionRun();
const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, DAY);
// As a send run does: the window's cards compiled once, before the first batch.
await composer.renderer.warm('email', await windowPapers(database.db, run, [period], config));

const totals = () => ({ cpu: { shared: 0, personal: 0 }, pg: { shared: 0, personal: 0 }, emails: { shared: 0, personal: 0 } });
let t = totals();
async function batch(kind: Kind, subscribers: Reader[]) {
  const pg0 = postgresCpuMs();
  const c0 = process.cpuUsage();
  const selections = await selectDigests(database.db, subscribers.map((subscriber) => ({ subscriber, period })), config, run);
  for (const [i, s] of selections.entries()) {
    if (s.kind !== 'digest') throw new Error(`no digest for a ${kind} reader: ${s.reason}`);
    await composer.compose(s, { id: subscribers[i]!.id }, subscribers[i]!.email, new Date());
  }
  const c = process.cpuUsage(c0);
  t.cpu[kind] += c.user + c.system;
  t.pg[kind] += (postgresCpuMs() - pg0) * 1000;
  t.emails[kind] += subscribers.length;
}
// The first pass warms the JIT and the per-run caches and is not counted.
for (const counted of [false, true]) {
  t = totals();
  for (let i = 0, k = 0; i < N; i += BATCH, k++) {
    for (const kind of (k % 2 ? ['personal', 'shared'] : ['shared', 'personal']) as Kind[]) await batch(kind, kinds[kind].slice(i, i + BATCH));
  }
  if (!counted) continue;
  const per = (kind: Kind) => ({ cpu: t.cpu[kind] / t.emails[kind], pg: t.pg[kind] / t.emails[kind] });
  const [shared, personal] = [per('shared'), per('personal')];
  for (const [name, p] of [['shared: 50 preference mixes', shared], [`personal: own keyword and ${VOTES} votes`, personal]] as const)
    console.log(`  ${name.padEnd(40)} ${fmt(p.cpu).padStart(5)} µs CPU per email  Postgres ${fmt(p.pg)} µs`);
  const extra = personal.cpu - shared.cpu;
  console.log(`  personal extra: ${fmt(extra)} µs of CPU per email (select + compose ${(shared.cpu / personal.cpu).toFixed(2)}× as fast shared)`);
  if (SEND_US) {
    const ratio = SEND_US / (SEND_US + extra);
    console.log(`  on a send worker spending ${fmt(SEND_US)} µs an email shared: personal at ${ratio.toFixed(2)}× (target ≥ 0.9×: ${ratio >= 0.9 ? 'met' : 'MISSED'})`);
  }
}
await database.drop();
