/**
 * Does the time POST /api/subscriptions takes tell what the address is? One
 * client, one keep-alive connection, requests one at a time (an attacker's
 * best case: no queueing noise), against the real app and Postgres. Each
 * probe uses an address not probed before, already in the state named:
 * new (not stored), pending, unsubscribed, active, paused, bounced; states
 * are interleaved at random so drift hits them alike. Prints the median and
 * quartiles per state, and how often one probe is classified right by the
 * best single threshold between the "writes" states (new, pending,
 * unsubscribed) and the others (50 % = no information).
 *
 *   npm run bench -- subscribe-timing     (BENCH_PROBES per state, default 400)
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { createBenchDatabase, machineLine } from './bench-db.ts';

const PROBES = Number(process.env.BENCH_PROBES ?? 400);
const STATES = ['new', 'pending', 'unsubscribed', 'active', 'paused', 'bounced'] as const;
type State = (typeof STATES)[number];
const WRITES: readonly State[] = ['new', 'pending', 'unsubscribed'];

const database = await createBenchDatabase(4);
const quietMailer: Mailer = {
  kind: 'outbox',
  async send(mail) {
    return { messageId: mail.messageId ?? '<bench@localhost>', response: 'counted' };
  },
  async sendRaw(mail) {
    return { messageId: mail.messageId, response: 'not used here' };
  },
  async close() {},
};
const config = loadConfig({ DATABASE_URL: database.url, SECRET: 'bench-'.repeat(8), LOG_LEVEL: 'silent', NODE_ENV: 'production' });
const app = await buildApp({ config, db: database.db, log: silentLogger, mailer: quietMailer, subscriptions: { subscribeLimit: { max: 1e9, windowMs: 60_000 } } });

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function post(port: number, email: string): Promise<number> {
  const body = JSON.stringify({ email, topics: ['llm'] });
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path: '/api/subscriptions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume().on('end', () => {
        if (res.statusCode !== 202) reject(new Error(`status ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - start) / 1e6);
      });
    });
    req.on('error', reject).end(body);
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

try {
  // Addresses in each stored state, written directly (the states, not the path there, matter here).
  const addresses: Record<State, string[]> = Object.fromEntries(STATES.map((s) => [s, Array.from({ length: PROBES }, (_, i) => `t-${s}-${i}@example.org`)])) as Record<State, string[]>;
  for (const state of STATES.filter((s) => s !== 'new')) {
    await database.db.execute(sql`INSERT INTO subscribers (email, status, confirmed_at)
      SELECT unnest(${sql.param(addresses[state])}::text[]), ${state}, CASE WHEN ${state} <> 'pending' THEN now() END`);
  }
  await database.db.execute(sql`VACUUM ANALYZE subscribers`);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  // Warm-up on addresses outside the sample.
  for (let i = 0; i < 300; i++) await post(port, `warm-${i}@example.org`);

  const order = STATES.flatMap((s) => addresses[s].map((email) => ({ s, email })));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const times: Record<State, number[]> = Object.fromEntries(STATES.map((s) => [s, []])) as unknown as Record<State, number[]>;
  for (const { s, email } of order) times[s].push(await post(port, email));
  await app.subscribers.confirmations.drain();

  console.log(`subscribe-timing: ${PROBES} sequential probes per state, one keep-alive connection — ${machineLine()}`);
  for (const s of STATES) {
    const t = times[s];
    console.log(`  ${s.padEnd(13)} median ${quantile(t, 0.5).toFixed(3)} ms   p25 ${quantile(t, 0.25).toFixed(3)}   p75 ${quantile(t, 0.75).toFixed(3)}`);
  }
  const writes = WRITES.flatMap((s) => times[s]);
  const others = STATES.filter((s) => !WRITES.includes(s)).flatMap((s) => times[s]);
  console.log(`  median writes-states ${quantile(writes, 0.5).toFixed(3)} ms vs others ${quantile(others, 0.5).toFixed(3)} ms`);
  // Best threshold either way round: the accuracy of one probe.
  const all = [...writes.map((t) => ({ t, w: true })), ...others.map((t) => ({ t, w: false }))].sort((a, b) => a.t - b.t);
  let best = 0.5;
  let below = { w: 0, o: 0 };
  for (const x of all) {
    if (x.w) below.w++;
    else below.o++;
    const slowWrites = (below.o + (writes.length - below.w)) / all.length;
    best = Math.max(best, slowWrites, 1 - slowWrites);
  }
  console.log(`  one probe classifies ${(best * 100).toFixed(0)} % right at the best threshold (50 % = chance)`);
} finally {
  agent.destroy();
  await app.close();
  await database.drop();
}
