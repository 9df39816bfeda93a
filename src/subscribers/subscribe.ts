/**
 * Subscribe, in one round trip to Postgres. The outcome depends on what the
 * address already is, but the caller answers the same in every case, so
 * nothing here reaches the response:
 *
 *   new                      → pending with these preferences, confirmation sent
 *   pending                  → preferences replaced, confirmation sent again (throttled)
 *   unsubscribed             → pending again, new confirmation (throttled)
 *   active, paused           → nothing changes and nothing is sent (a stranger
 *                              must not alter or probe someone's subscription)
 *   bounced, complained      → suppressed: nothing changes and nothing is sent
 *
 * Every request writes and commits, whatever the state: the untouched
 * addresses get a `subscribe_ignored` audit event. A transaction that writes
 * waits for its WAL flush at commit and a read-only one does not, so without
 * it active, paused and suppressed addresses answered ≈ 2 ms sooner and one
 * timed probe told them apart 77 % of the time (test/bench/subscribe-timing.bench.ts).
 *
 * The throttle (≤ 1 confirmation per 10 minutes, ≤ 5 per UTC day, per address)
 * is decided inside the same statement, so concurrent requests cannot both send.
 *
 * Requests that arrive in the same event-loop turn share one statement and
 * one commit: under load, a statement and a commit per request cost Postgres
 * ≈ 300 µs of CPU per subscribe, batched ≈ 30 µs (BENCHMARKS.md).
 */
import type { Db } from '../db/client.ts';
import { queryPrepared, type PreparedStatement } from '../db/prepared.ts';
import type { AuditVia } from '../db/schema.ts';
import type { LineLogger } from './confirm-mail.ts';
import type { SubscriberDeps } from './deps.ts';
import type { Preferences } from './preferences.ts';
import { turnBatcher } from '../turn-batch.ts';

export const CONFIRM_INTERVAL_MINUTES = 10;
export const CONFIRM_MAX_PER_DAY = 5;

export interface SubscribeResult {
  /** null when the address is active, paused or suppressed (nothing was written). */
  subscriberId: string | null;
  confirmationSent: boolean;
}

// One statement for a batch of addresses (see subscribeBatch below), each
// row of `input` one request, numbered n in call order: $1 emails, $2 preferences as JSON, $3 request
// times, $4 vias. Addresses in one batch are distinct (case-insensitively).
// `old` locks the existing rows, so concurrent requests for one address take
// turns and each sees the confirmation the previous one recorded. A row
// another request is inserting right now is invisible to this statement: the
// insert does nothing and so does this request (the other one sends). Rows
// are inserted and locked in address order, so two batches wait for each
// other rather than deadlock.
const SUBSCRIBE: PreparedStatement = {
  name: 'paperboy_subscribe_v3',
  text: `WITH input AS (
  SELECT i.n, i.email, lower(i.email) AS lower_email, i.prefs::jsonb AS prefs, i.at::timestamptz AS at,
    (i.at::timestamptz AT TIME ZONE 'UTC')::date AS today, i.via
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS i(email, prefs, at, via, n)
), req AS (
  SELECT input.*, ARRAY(SELECT jsonb_array_elements_text(prefs->'topics')) AS topics,
    ARRAY(SELECT jsonb_array_elements_text(prefs->'keywords')) AS keywords,
    prefs->>'frequency' AS frequency, prefs->>'timezone' AS timezone, (prefs->>'sendHour')::smallint AS send_hour
  FROM input
), ins AS (
  INSERT INTO subscribers (email, status, topics, keywords, frequency, timezone, send_hour,
    confirm_sent_at, confirm_day, confirm_count, created_at, updated_at)
  SELECT email, 'pending', topics, keywords, frequency, timezone, send_hour, at, today, 1, at, at FROM req ORDER BY lower_email
  ON CONFLICT ((lower(email))) DO NOTHING
  RETURNING id, email
), old AS (
  SELECT s.id, r.n, s.status, s.confirm_day, s.confirm_count,
    (s.confirm_sent_at IS NULL OR s.confirm_sent_at <= r.at - interval '${CONFIRM_INTERVAL_MINUTES} minutes')
      AND (s.confirm_day IS DISTINCT FROM r.today OR s.confirm_count < ${CONFIRM_MAX_PER_DAY}) AS may_send
  FROM req r JOIN subscribers s ON lower(s.email) = r.lower_email
  WHERE s.status IN ('pending', 'unsubscribed') AND NOT EXISTS (SELECT 1 FROM ins WHERE lower(ins.email) = r.lower_email)
  ORDER BY r.lower_email
  FOR UPDATE OF s
), upd AS (
  UPDATE subscribers s SET
    status = 'pending', topics = r.topics, keywords = r.keywords, frequency = r.frequency, timezone = r.timezone,
    send_hour = r.send_hour, updated_at = r.at,
    confirm_sent_at = CASE WHEN old.may_send THEN r.at ELSE s.confirm_sent_at END,
    confirm_day = CASE WHEN old.may_send THEN r.today ELSE s.confirm_day END,
    confirm_count = CASE WHEN NOT old.may_send THEN s.confirm_count WHEN old.confirm_day = r.today THEN old.confirm_count + 1 ELSE 1 END
  FROM old JOIN req r ON r.n = old.n
  WHERE s.id = old.id
  RETURNING s.id, s.email, old.may_send AS send, old.status AS was, old.n
), kept AS (
  SELECT s.id, r.n, s.status FROM req r JOIN subscribers s ON lower(s.email) = r.lower_email
  WHERE s.status NOT IN ('pending', 'unsubscribed') AND NOT EXISTS (SELECT 1 FROM ins WHERE lower(ins.email) = r.lower_email)
), done AS (
  SELECT ins.id, ins.email, true AS send, NULL::text AS was, r.n FROM ins JOIN req r ON r.lower_email = lower(ins.email)
  UNION ALL SELECT id, email, send, was, n FROM upd
), audit AS (
  INSERT INTO audit_events (subscriber_id, action, via, detail, at)
  SELECT d.id, CASE d.was WHEN 'unsubscribed' THEN 'resubscribed' WHEN 'pending' THEN 'subscribed_again' ELSE 'subscribed' END,
    r.via, jsonb_build_object('confirmationSent', d.send, 'preferences', r.prefs), r.at
  FROM done d JOIN req r ON r.n = d.n
  UNION ALL
  SELECT k.id, 'subscribe_ignored', r.via, jsonb_build_object('status', k.status), r.at FROM kept k JOIN req r ON r.n = k.n
)
SELECT n::int AS n, id, email, send FROM done`,
};

interface SubscribeRequest {
  email: string;
  preferences: Preferences;
  at: string;
  via: AuditVia;
}

type Outcome = { id: string; email: string; send: boolean } | null;

async function runStatement(db: Db, batch: SubscribeRequest[]): Promise<Outcome[]> {
  const rows = await queryPrepared<{ n: number; id: string; email: string; send: boolean }>(db, SUBSCRIBE, [
    batch.map((r) => r.email),
    batch.map((r) => JSON.stringify(r.preferences)),
    batch.map((r) => r.at),
    batch.map((r) => r.via),
  ]);
  const out: Outcome[] = batch.map(() => null);
  for (const { n, ...row } of rows) out[n - 1] = row;
  return out;
}

/**
 * A turn's subscribe requests as few statements as possible: one, unless an
 * address comes twice (the repeats go in a statement after it, so they see
 * what the first wrote). If a statement fails, its requests are retried one
 * by one, so a request can only ever fail on its own account.
 */
async function subscribeBatch(db: Db, batch: SubscribeRequest[]): Promise<(Outcome | Error)[]> {
  const out: (Outcome | Error)[] = new Array(batch.length);
  let rest = batch.map((r, i) => ({ r, i }));
  while (rest.length) {
    // The first request for each address now, its repeats in the next round.
    const firsts = new Map<string, { r: SubscribeRequest; i: number }>();
    for (const x of rest) if (!firsts.has(x.r.email.toLowerCase())) firsts.set(x.r.email.toLowerCase(), x);
    const now = [...firsts.values()];
    rest = rest.filter((x) => firsts.get(x.r.email.toLowerCase()) !== x);
    try {
      const results = await runStatement(db, now.map((x) => x.r));
      now.forEach(({ i }, k) => (out[i] = results[k]!));
    } catch (err) {
      if (now.length === 1) out[now[0]!.i] = err as Error;
      else for (const { r, i } of now) out[i] = await runStatement(db, [r]).then((res) => res[0]!, (e: Error) => e);
    }
  }
  return out;
}

// One batcher per database handle: the API, the CLI and tests each have their own.
const batchers = new WeakMap<Db, (req: SubscribeRequest) => Promise<Outcome>>();

export async function subscribe(
  deps: SubscriberDeps,
  input: { email: string; preferences: Preferences },
  via: AuditVia,
  /** The request's logger: the confirmation's log line then carries the request id. */
  log?: LineLogger,
): Promise<SubscribeResult> {
  let batcher = batchers.get(deps.db);
  if (!batcher) batchers.set(deps.db, (batcher = turnBatcher((batch) => subscribeBatch(deps.db, batch), { serial: true, maxBatch: 200 })));
  const row = await batcher({ ...input, at: deps.now().toISOString(), via });
  if (!row) return { subscriberId: null, confirmationSent: false };
  if (row.send) deps.confirmations.enqueue({ subscriberId: row.id, email: row.email, log });
  return { subscriberId: row.id, confirmationSent: row.send };
}
