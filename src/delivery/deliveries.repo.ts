/**
 * The delivery state machine, in SQL:
 *
 *   queued ──claim──▶ sending ──▶ sent | skipped | failed
 *      ▲                 │
 *      └── retry/lease ──┘
 *
 * A claim is a conditional UPDATE … RETURNING, so two workers can never both
 * hold one row: the loser's UPDATE matches nothing. A claim sets a lease; a
 * row left in `sending` past it (its worker was killed) can be claimed again.
 * Every later transition checks `status = 'sending'`, so a worker that lost
 * its lease cannot overwrite the new holder's outcome.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { Frequency, SubscriberStatus } from '../db/schema.ts';
import { recordSentFrom } from './sent-ledger.ts';

export interface ClaimedDelivery {
  id: string;
  period: string;
  scheduledFor: Date;
  attempts: number;
  /** Papers chosen by an earlier attempt: a resume must send the same digest. */
  paperIds: string[];
  subscriber: {
    id: string;
    email: string;
    status: SubscriberStatus;
    topics: string[];
    keywords: string[];
    frequency: Frequency;
    timezone: string;
    sendHour: number;
  };
}

interface ClaimRow {
  id: string;
  period: string;
  scheduled_for: Date | string;
  attempts: number;
  paper_ids: string[];
  subscriber_id: string;
  email: string;
  status: SubscriberStatus;
  topics: string[];
  keywords: string[];
  frequency: Frequency;
  timezone: string;
  send_hour: number;
}

export async function claimDeliveries(db: Db, ids: string[], now: Date, leaseSeconds: number): Promise<ClaimedDelivery[]> {
  if (!ids.length) return [];
  const at = now.toISOString();
  const rows = await queryRows<ClaimRow>(
    db,
    sql`
      WITH claimed AS (
        UPDATE deliveries d
        SET status = 'sending', attempts = d.attempts + 1, updated_at = ${at}::timestamptz,
            lease_until = ${at}::timestamptz + make_interval(secs => ${leaseSeconds})
        WHERE d.id = ANY(${sql.param(ids)}::uuid[])
          AND (d.status = 'queued' OR (d.status = 'sending' AND d.lease_until < ${at}::timestamptz))
        RETURNING d.id, d.period, d.scheduled_for, d.attempts, d.paper_ids, d.subscriber_id
      )
      SELECT c.*, s.email, s.status, s.topics, s.keywords, s.frequency, s.timezone, s.send_hour
      FROM claimed c JOIN subscribers s ON s.id = c.subscriber_id
      ORDER BY c.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    period: r.period,
    scheduledFor: new Date(r.scheduled_for),
    attempts: r.attempts,
    paperIds: r.paper_ids,
    subscriber: {
      id: r.subscriber_id,
      email: r.email,
      status: r.status,
      topics: r.topics,
      keywords: r.keywords,
      frequency: r.frequency,
      timezone: r.timezone,
      sendHour: r.send_hour,
    },
  }));
}

export type Outcome =
  | { status: 'sent'; messageId: string; paperIds: string[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string }
  /**
   * Back to the queue for another attempt (transient failure). `uncounted`:
   * the attempt never reached the recipient's server (relay down), so it does
   * not use up one of the delivery's tries.
   */
  | { status: 'queued'; reason: string; uncounted?: boolean };

/**
 * Ends (or returns to the queue) claimed deliveries, many in one statement.
 * Returns the ids actually updated: a delivery whose claim was lost
 * meanwhile (its lease expired and another worker took it) is left alone.
 */
export async function finishDeliveries(db: Db, outcomes: { id: string; outcome: Outcome }[], now: Date): Promise<string[]> {
  if (!outcomes.length) return [];
  const rows = JSON.stringify(
    outcomes.map(({ id, outcome: o }) => ({
      id,
      status: o.status,
      reason: 'reason' in o ? o.reason : null,
      message_id: o.status === 'sent' ? o.messageId : null,
      paper_ids: o.status === 'sent' ? o.paperIds : null,
      uncounted: o.status === 'queued' && o.uncounted === true,
    })),
  );
  const at = now.toISOString();
  // Sent ones enter the no-repeat ledger in the same statement (sent-ledger.ts).
  const updated = await queryRows<{ id: string }>(
    db,
    sql`WITH done AS (UPDATE deliveries d SET
          status = o.status,
          reason = o.reason,
          message_id = coalesce(o.message_id, d.message_id),
          paper_ids = CASE WHEN o.paper_ids IS NULL THEN d.paper_ids ELSE ARRAY(SELECT jsonb_array_elements_text(o.paper_ids)) END,
          sent_at = CASE WHEN o.status = 'sent' THEN ${at}::timestamptz ELSE d.sent_at END,
          attempts = CASE WHEN o.uncounted THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
          lease_until = NULL,
          updated_at = ${at}::timestamptz
        FROM jsonb_to_recordset(${rows}::jsonb) AS o(id uuid, status text, reason text, message_id text, paper_ids jsonb, uncounted boolean)
        WHERE d.id = o.id AND d.status = 'sending'
        RETURNING d.id, d.subscriber_id, d.period, d.scheduled_for, d.paper_ids, d.status),
      ledger AS (${recordSentFrom(sql`done`)})
      SELECT id FROM done`,
  );
  return updated.map((r) => r.id);
}

/**
 * Records the papers chosen for deliveries before their emails leave, so that
 * a worker resuming after a crash sends the very same digest (same papers,
 * same Message-ID) instead of a re-ranked one.
 */
export async function rememberSelections(db: Db, chosen: { id: string; paperIds: string[] }[]): Promise<void> {
  if (!chosen.length) return;
  const rows = JSON.stringify(chosen.map((c) => ({ id: c.id, paper_ids: c.paperIds })));
  await db.execute(sql`
    UPDATE deliveries d SET paper_ids = ARRAY(SELECT jsonb_array_elements_text(c.paper_ids))
    FROM jsonb_to_recordset(${rows}::jsonb) AS c(id uuid, paper_ids jsonb)
    WHERE d.id = c.id AND d.status = 'sending'`);
}

/** The Message-ID of a delivery: stable across retries and resumes. */
export function deliveryMessageId(deliveryId: string, domain: string): string {
  return `<digest.${deliveryId}@${domain}>`;
}
