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

type Outcome =
  | { status: 'sent'; messageId: string; paperIds: string[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string }
  /**
   * Back to the queue for another attempt (transient failure). `uncounted`:
   * the attempt never reached the recipient's server (relay down), so it does
   * not use up one of the delivery's tries.
   */
  | { status: 'queued'; reason: string; uncounted?: boolean };

/** Ends (or returns) a claimed delivery. False if the claim was lost meanwhile. */
export async function finishDelivery(db: Db, id: string, outcome: Outcome, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const set =
    outcome.status === 'sent'
      ? sql`status = 'sent', message_id = ${outcome.messageId}, paper_ids = ${sql.param(outcome.paperIds)}::text[],
            sent_at = ${at}::timestamptz, reason = NULL, lease_until = NULL`
      : outcome.status === 'queued' && outcome.uncounted
        ? sql`status = 'queued', reason = ${outcome.reason}, lease_until = NULL, attempts = greatest(attempts - 1, 0)`
        : sql`status = ${outcome.status}, reason = ${outcome.reason}, lease_until = NULL`;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE deliveries SET ${set}, updated_at = ${at}::timestamptz
        WHERE id = ${id} AND status = 'sending' RETURNING id`,
  );
  return rows.length === 1;
}

/**
 * Records the papers chosen for a delivery before its email leaves, so that a
 * worker resuming after a crash sends the very same digest (same papers, same
 * Message-ID) instead of a re-ranked one.
 */
export async function rememberSelection(db: Db, id: string, paperIds: string[]): Promise<void> {
  await db.execute(
    sql`UPDATE deliveries SET paper_ids = ${sql.param(paperIds)}::text[] WHERE id = ${id} AND status = 'sending'`,
  );
}

/** The Message-ID of a delivery: stable across retries and resumes. */
export function deliveryMessageId(deliveryId: string, domain: string): string {
  return `<digest.${deliveryId}@${domain}>`;
}
