/**
 * The operator's actions on one subscriber: find by address, suppress (stop
 * all mail; the person may still subscribe again with double opt-in),
 * reactivate (back to active, bounce count reset; never from pending, which
 * would skip the person's own confirmation) and erase. Each change writes its
 * audit event in the same statement, with `via` saying who acted.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { AuditVia, SubscriberStatus } from '../db/schema.ts';
import { AdminError } from './errors.ts';

export interface AdminSubscriber {
  id: string;
  email: string;
  status: SubscriberStatus;
  topics: string[];
  keywords: string[];
  frequency: string;
  timezone: string;
  sendHour: number;
  hardBounces: number;
  createdAt: string;
  confirmedAt: string | null;
  lastDelivery: { period: string; status: string; reason: string | null } | null;
}

interface Row {
  id: string;
  email: string;
  status: SubscriberStatus;
  topics: string[];
  keywords: string[];
  frequency: string;
  timezone: string;
  send_hour: number;
  hard_bounces: number;
  created_at: Date | string;
  confirmed_at: Date | string | null;
  last_period: string | null;
  last_status: string | null;
  last_reason: string | null;
}

const iso = (v: Date | string) => new Date(v).toISOString();

const SELECT = sql`SELECT s.*, d.period AS last_period, d.status AS last_status, d.reason AS last_reason
  FROM subscribers s
  LEFT JOIN LATERAL (SELECT period, status, reason FROM deliveries WHERE subscriber_id = s.id ORDER BY created_at DESC LIMIT 1) d ON true`;

function toSubscriber(r: Row): AdminSubscriber {
  return {
    id: r.id,
    email: r.email,
    status: r.status,
    topics: r.topics,
    keywords: r.keywords,
    frequency: r.frequency,
    timezone: r.timezone,
    sendHour: r.send_hour,
    hardBounces: r.hard_bounces,
    createdAt: iso(r.created_at),
    confirmedAt: r.confirmed_at ? iso(r.confirmed_at) : null,
    lastDelivery: r.last_period ? { period: r.last_period, status: r.last_status!, reason: r.last_reason } : null,
  };
}

/** Case-insensitive exact match on the address; null when unknown. */
export async function findSubscriberByEmail(db: Db, email: string): Promise<AdminSubscriber | null> {
  const rows = await queryRows<Row>(db, sql`${SELECT} WHERE lower(s.email) = lower(${email.trim()})`);
  return rows[0] ? toSubscriber(rows[0]) : null;
}

export async function getSubscriber(db: Db, id: string): Promise<AdminSubscriber> {
  const rows = await queryRows<Row>(db, sql`${SELECT} WHERE s.id = ${id}`);
  if (!rows[0]) throw new AdminError(404, 'not_found', 'no subscriber with this id');
  return toSubscriber(rows[0]);
}

const actions = {
  suppress: { from: ['pending', 'active', 'paused'], to: 'unsubscribed', action: 'suppressed' },
  reactivate: { from: ['paused', 'unsubscribed', 'bounced', 'complained'], to: 'active', action: 'reactivated' },
} as const;

export type AdminAction = keyof typeof actions;

/** Applies the action; answers 409 when the subscriber's status does not allow it. */
export async function actOnSubscriber(db: Db, id: string, name: AdminAction, via: AuditVia, now: Date): Promise<AdminSubscriber> {
  const a = actions[name];
  const at = now.toISOString();
  const rows = await queryRows<{ status: SubscriberStatus; changed: boolean }>(
    db,
    sql`WITH up AS (
      UPDATE subscribers SET status = ${a.to}, updated_at = ${at}::timestamptz,
        ${name === 'suppress' ? sql`unsubscribed_at = ${at}::timestamptz` : sql`hard_bounces = 0, unsubscribed_at = NULL`}
      WHERE id = ${id} AND status IN (${sql.join(a.from.map((s) => sql`${s}`), sql`, `)})
      RETURNING id, status
    ), audit AS (
      INSERT INTO audit_events (subscriber_id, action, via, at) SELECT id, ${a.action}, ${via}, ${at}::timestamptz FROM up
    )
    SELECT coalesce(up.status, s.status) AS status, up.id IS NOT NULL AS changed FROM subscribers s LEFT JOIN up ON true WHERE s.id = ${id}`,
  );
  const row = rows[0];
  if (!row) throw new AdminError(404, 'not_found', 'no subscriber with this id');
  if (!row.changed && row.status !== a.to) {
    throw new AdminError(409, 'conflict', `cannot ${name} a subscriber who is ${row.status}`);
  }
  return getSubscriber(db, id);
}

/**
 * Deletes the subscriber; deliveries and audit events go with them (ON DELETE
 * CASCADE), so the record of the erasure itself can only be the log line the
 * caller writes.
 */
export async function eraseSubscriberById(db: Db, id: string): Promise<void> {
  const gone = await queryRows<{ id: string }>(db, sql`DELETE FROM subscribers WHERE id = ${id} RETURNING id`);
  if (!gone.length) throw new AdminError(404, 'not_found', 'no subscriber with this id');
}
