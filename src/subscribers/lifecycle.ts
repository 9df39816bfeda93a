/**
 * Everything a subscriber does with a signed link: confirm, pause, resume,
 * unsubscribe, resubscribe, change preferences. Each is one statement that
 * changes the row only when the transition applies and writes the audit event
 * in the same statement, so repeating any of them is harmless (confirming
 * twice, unsubscribing twice) and the trail never misses a change.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { queryRows } from '../db/rows.ts';
import { subscribers, type AuditVia, type SubscriberStatus } from '../db/schema.ts';
import type { SubscriberDeps } from './deps.ts';
import { expiredLink, goneLink, invalidLink } from './errors.ts';
import type { PreferencesPatch } from './preferences.ts';
import { verifyToken, type TokenPurpose } from './tokens.ts';

export type Subscriber = typeof subscribers.$inferSelect;

/** The subscriber id a link token stands for; throws for bad, expired or wrong-purpose tokens. */
export function subscriberIdFromToken(deps: Pick<SubscriberDeps, 'secrets' | 'now'>, purpose: TokenPurpose, token: unknown): string {
  const check = verifyToken(deps.secrets, purpose, token, deps.now());
  if (check.ok) return check.subscriberId;
  throw check.reason === 'expired' ? expiredLink() : invalidLink();
}

export async function findSubscriber(deps: Pick<SubscriberDeps, 'db'>, id: string): Promise<Subscriber> {
  const [row] = await deps.db.select().from(subscribers).where(eq(subscribers.id, id));
  if (!row) throw goneLink();
  return row;
}

export interface Transition {
  from: readonly SubscriberStatus[];
  to: SubscriberStatus;
  action: string;
  /** A timestamp column set to the moment of the change. */
  stamp?: 'confirmed_at' | 'unsubscribed_at';
  /** Only for a subscriber who once confirmed their address (confirmed_at set). */
  confirmedOnly?: boolean;
}

export const transitions = {
  confirm: { from: ['pending'], to: 'active', action: 'confirmed', stamp: 'confirmed_at' },
  pause: { from: ['active'], to: 'paused', action: 'paused' },
  resume: { from: ['paused'], to: 'active', action: 'resumed' },
  unsubscribe: { from: ['pending', 'active', 'paused'], to: 'unsubscribed', action: 'unsubscribed', stamp: 'unsubscribed_at' },
  // A signed link shows someone had the link, not that the address is theirs: only an
  // address that was confirmed once comes back without a new confirmation.
  resubscribe: { from: ['unsubscribed'], to: 'active', action: 'resubscribed', confirmedOnly: true },
} satisfies Record<string, Transition>;

export interface TransitionResult {
  status: SubscriberStatus;
  /** false when the subscriber was already past (or outside) this transition. */
  changed: boolean;
}

export async function applyTransition(deps: SubscriberDeps, id: string, t: Transition, via: AuditVia): Promise<TransitionResult> {
  const at = deps.now().toISOString();
  const rows = await queryRows<{ status: SubscriberStatus; changed: boolean }>(
    deps.db,
    sql`WITH up AS (
      UPDATE subscribers SET status = ${t.to}, updated_at = ${at}::timestamptz${t.stamp ? sql`, ${sql.identifier(t.stamp)} = ${at}::timestamptz` : sql``}
      WHERE id = ${id} AND status IN (${sql.join(t.from.map((s) => sql`${s}`), sql`, `)})${t.confirmedOnly ? sql` AND confirmed_at IS NOT NULL` : sql``}
      RETURNING id, status
    ), audit AS (
      INSERT INTO audit_events (subscriber_id, action, via, at)
      SELECT id, ${t.action}, ${via}, ${at}::timestamptz FROM up
    )
    SELECT coalesce(up.status, s.status) AS status, up.id IS NOT NULL AS changed
    FROM subscribers s LEFT JOIN up ON true WHERE s.id = ${id}`,
  );
  const row = rows[0];
  if (!row) throw goneLink();
  return row;
}

/** Changes only the named preferences; records which ones changed. */
export async function updatePreferences(deps: SubscriberDeps, id: string, patch: PreferencesPatch, via: AuditVia): Promise<Subscriber> {
  const at = deps.now().toISOString();
  const sets: SQL[] = [];
  if (patch.topics) sets.push(sql`topics = ${sql.param(patch.topics)}::text[]`);
  if (patch.keywords) sets.push(sql`keywords = ${sql.param(patch.keywords)}::text[]`);
  if (patch.frequency) sets.push(sql`frequency = ${patch.frequency}`);
  if (patch.timezone) sets.push(sql`timezone = ${patch.timezone}`);
  if (patch.sendHour !== undefined) sets.push(sql`send_hour = ${patch.sendHour}`);
  if (!sets.length) return findSubscriber(deps, id);
  await queryRows(
    deps.db,
    sql`WITH up AS (
      UPDATE subscribers SET ${sql.join(sets, sql`, `)}, updated_at = ${at}::timestamptz WHERE id = ${id} RETURNING id
    )
    INSERT INTO audit_events (subscriber_id, action, via, detail, at)
    SELECT id, 'preferences_changed', ${via}, ${JSON.stringify(patch)}::jsonb, ${at}::timestamptz FROM up`,
  );
  return findSubscriber(deps, id);
}
