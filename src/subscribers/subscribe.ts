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
 * The throttle (≤ 1 confirmation per 10 minutes, ≤ 5 per UTC day, per address)
 * is decided inside the same statement, so concurrent requests cannot both send.
 */
import { queryPrepared, type PreparedStatement } from '../db/prepared.ts';
import type { AuditVia } from '../db/schema.ts';
import type { LineLogger } from './confirm-mail.ts';
import type { SubscriberDeps } from './deps.ts';
import type { Preferences } from './preferences.ts';

export const CONFIRM_INTERVAL_MINUTES = 10;
export const CONFIRM_MAX_PER_DAY = 5;

export interface SubscribeResult {
  /** null when the address is active, paused or suppressed (nothing was written). */
  subscriberId: string | null;
  confirmationSent: boolean;
}

// `old` locks the existing row, so concurrent requests for one address take
// turns and each sees the confirmation the previous one recorded. A row
// another request is inserting right now is invisible to this statement: the
// insert does nothing and so does this request (the other one sends).
// $1 email, $2 topics, $3 keywords, $4 frequency, $5 timezone, $6 send hour,
// $7 now, $8 today (UTC), $9 via, $10 preferences as JSON for the audit trail.
const SUBSCRIBE: PreparedStatement = {
  name: 'paperboy_subscribe_v1',
  text: `WITH ins AS (
  INSERT INTO subscribers (email, status, topics, keywords, frequency, timezone, send_hour,
    confirm_sent_at, confirm_day, confirm_count, created_at, updated_at)
  VALUES ($1, 'pending', $2::text[], $3::text[], $4, $5, $6, $7::timestamptz, $8::date, 1, $7::timestamptz, $7::timestamptz)
  ON CONFLICT ((lower(email))) DO NOTHING
  RETURNING id, email
), old AS (
  SELECT id, status, confirm_day, confirm_count,
    (confirm_sent_at IS NULL OR confirm_sent_at <= $7::timestamptz - interval '${CONFIRM_INTERVAL_MINUTES} minutes')
      AND (confirm_day IS DISTINCT FROM $8::date OR confirm_count < ${CONFIRM_MAX_PER_DAY}) AS may_send
  FROM subscribers
  WHERE lower(email) = lower($1) AND status IN ('pending', 'unsubscribed') AND NOT EXISTS (SELECT 1 FROM ins)
  FOR UPDATE
), upd AS (
  UPDATE subscribers s SET
    status = 'pending', topics = $2::text[], keywords = $3::text[], frequency = $4, timezone = $5, send_hour = $6,
    updated_at = $7::timestamptz,
    confirm_sent_at = CASE WHEN old.may_send THEN $7::timestamptz ELSE s.confirm_sent_at END,
    confirm_day = CASE WHEN old.may_send THEN $8::date ELSE s.confirm_day END,
    confirm_count = CASE WHEN NOT old.may_send THEN s.confirm_count WHEN old.confirm_day = $8::date THEN old.confirm_count + 1 ELSE 1 END
  FROM old WHERE s.id = old.id
  RETURNING s.id, s.email, old.may_send AS send, old.status AS was
), done AS (
  SELECT id, email, true AS send, NULL::text AS was FROM ins
  UNION ALL SELECT id, email, send, was FROM upd
), audit AS (
  INSERT INTO audit_events (subscriber_id, action, via, detail, at)
  SELECT id, CASE was WHEN 'unsubscribed' THEN 'resubscribed' WHEN 'pending' THEN 'subscribed_again' ELSE 'subscribed' END,
    $9, jsonb_build_object('confirmationSent', send, 'preferences', $10::jsonb), $7::timestamptz
  FROM done
)
SELECT id, email, send FROM done`,
};

export async function subscribe(
  deps: SubscriberDeps,
  input: { email: string; preferences: Preferences },
  via: AuditVia,
  /** The request's logger: the confirmation's log line then carries the request id. */
  log?: LineLogger,
): Promise<SubscribeResult> {
  const at = deps.now().toISOString();
  const p = input.preferences;
  const rows = await queryPrepared<{ id: string; email: string; send: boolean }>(deps.db, SUBSCRIBE, [
    input.email, p.topics, p.keywords, p.frequency, p.timezone, p.sendHour, at, at.slice(0, 10), via, JSON.stringify(p),
  ]);
  const row = rows[0];
  if (!row) return { subscriberId: null, confirmationSent: false };
  if (row.send) deps.confirmations.enqueue({ subscriberId: row.id, email: row.email, log });
  return { subscriberId: row.id, confirmationSent: row.send };
}
