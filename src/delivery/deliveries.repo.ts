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
 *
 * A sent delivery is written twice after it is planned, each time for a whole
 * batch in one statement: the claim (with the papers chosen for it, so a
 * resume sends the same digest) and the outcome. A skip is one write.
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
  chosen_papers: string | null;
  subscriber_id: string;
  email: string;
  status: SubscriberStatus;
  topics: string[];
  keywords: string[];
  frequency: Frequency;
  timezone: string;
  send_hour: number;
}

/** The ids a `chosen_papers` value holds (schema.ts): none for NULL. */
export const papersOf = (chosen: string | null): string[] => (chosen ? chosen.split(' ') : []);

const claimable = (at: string) => sql`(d.status = 'queued' OR (d.status = 'sending' AND d.lease_until < ${at}::timestamptz))`;

/**
 * The deliveries of `ids` that could be claimed now, with their subscribers:
 * a read, so selection can run before the claim and the claim can record the
 * chosen papers in the same write.
 */
export async function readClaimable(db: Db, ids: string[], now: Date): Promise<ClaimedDelivery[]> {
  if (!ids.length) return [];
  const rows = await queryRows<ClaimRow>(
    db,
    sql`SELECT d.id, d.period, d.scheduled_for, d.attempts + 1 AS attempts, d.chosen_papers, d.subscriber_id,
               s.email, s.status, s.topics, s.keywords, s.frequency, s.timezone, s.send_hour
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.id = ANY(${sql.param(ids)}::uuid[]) AND ${claimable(now.toISOString())}
        ORDER BY d.id`,
    'read_claimable',
  );
  return rows.map((r) => ({
    id: r.id,
    period: r.period,
    scheduledFor: new Date(r.scheduled_for),
    attempts: r.attempts,
    paperIds: papersOf(r.chosen_papers),
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

/**
 * What a claim does to one delivery: hold it to send these papers, or skip it
 * at once. `previous`: the papers the row held when this runner read it (none
 * by default).
 */
export type Claim = { id: string; paperIds: string[]; previous?: readonly string[] } | { id: string; skip: string };

/**
 * Claims many deliveries in one statement, each with the papers chosen for it,
 * or settles the ones with nothing to send as skipped. Papers an earlier
 * attempt chose are kept (a resume sends the same digest) unless the row still
 * holds exactly the `previous` this runner read: then it chose afresh on
 * purpose (a stored paper was withdrawn since) and its papers replace them.
 * Returns the rows this call now holds or settled, with the papers they hold;
 * a row another runner took meanwhile is not among them.
 */
export async function claimDeliveries(db: Db, claims: Claim[], now: Date, leaseSeconds: number): Promise<{ id: string; status: string; attempts: number; paperIds: string[] }[]> {
  if (!claims.length) return [];
  const at = now.toISOString();
  const skip = (c: Claim) => ('skip' in c ? c.skip : null);
  // Paper ids travel as the column holds them, one space-separated text per row.
  const papers = (c: Claim) => ('paperIds' in c ? c.paperIds.join(' ') : '');
  const previous = (c: Claim) => ('paperIds' in c ? (c.previous ?? []).join(' ') : '');
  const rows = await queryRows<{ id: string; status: string; attempts: number; chosen_papers: string | null }>(
    db,
    sql`UPDATE deliveries d SET
          status = CASE WHEN c.skip IS NULL THEN 'sending' ELSE 'skipped' END,
          reason = c.skip,
          attempts = d.attempts + 1,
          chosen_papers = CASE WHEN c.skip IS NULL AND c.papers <> '' AND coalesce(d.chosen_papers, '') = c.previous
                               THEN c.papers ELSE d.chosen_papers END,
          lease_until = CASE WHEN c.skip IS NULL THEN ${at}::timestamptz + make_interval(secs => ${leaseSeconds}) END,
          updated_at = ${at}::timestamptz
        FROM unnest(
            ${sql.param(claims.map((c) => c.id))}::uuid[],
            ${sql.param(claims.map(skip))}::text[],
            ${sql.param(claims.map(papers))}::text[],
            ${sql.param(claims.map(previous))}::text[]
          ) AS c(id, skip, papers, previous)
        WHERE d.id = c.id AND ${claimable(at)}
        RETURNING d.id, d.status, d.attempts, d.chosen_papers`,
    'claim',
  );
  return rows.map((r) => ({ id: r.id, status: r.status, attempts: r.attempts, paperIds: papersOf(r.chosen_papers) }));
}

export type Outcome =
  /** `paperIds`: the papers the email held (the claim's), for the no-repeat ledger. */
  | { status: 'sent'; paperIds: readonly string[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string }
  /**
   * Back to the queue for another attempt (transient failure). `uncounted`:
   * the attempt never reached the recipient's server (relay down), so it does
   * not use up one of the delivery's tries.
   */
  | { status: 'queued'; reason: string; uncounted?: boolean };

/**
 * Ends (or returns to the queue) claimed deliveries, many in one statement:
 * the one write after the claim (the papers were recorded by the claim).
 * Returns the ids actually updated: a delivery whose claim was lost
 * meanwhile (its lease expired and another worker took it) is left alone.
 */
export async function finishDeliveries(db: Db, outcomes: { id: string; outcome: Outcome }[], now: Date): Promise<string[]> {
  if (!outcomes.length) return [];
  const col = <T>(f: (o: Outcome) => T) => sql.param(outcomes.map(({ outcome }) => f(outcome)));
  const at = now.toISOString();
  // Sent ones enter the no-repeat ledger in the same statement (sent-ledger.ts),
  // with the papers their email held, and their row lets go of its chosen
  // papers: the ledger holds them from then on, and a sent row is never
  // resumed. That keeps a settled row as small as a planned one (README,
  // Postgres size per day). The ids come with the outcome, as the claim binds
  // them: RETURNING gives the row's new values only, and reading the old ones
  // again cost 4 µs an email.
  const updated = await queryRows<{ id: string }>(
    db,
    sql`WITH done AS (UPDATE deliveries d SET
          status = o.status,
          reason = o.reason,
          sent_at = CASE WHEN o.status = 'sent' THEN ${at}::timestamptz ELSE d.sent_at END,
          attempts = CASE WHEN o.uncounted THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
          chosen_papers = CASE WHEN o.status = 'sent' THEN NULL ELSE d.chosen_papers END,
          lease_until = NULL,
          updated_at = ${at}::timestamptz
        FROM unnest(${sql.param(outcomes.map((o) => o.id))}::uuid[], ${col((o) => o.status)}::text[],
                    ${col((o) => ('reason' in o ? o.reason : null))}::text[],
                    ${col((o) => o.status === 'queued' && o.uncounted === true)}::boolean[],
                    ${col((o) => (o.status === 'sent' ? o.paperIds.join(' ') : null))}::text[])
          AS o(id, status, reason, uncounted, papers)
        WHERE d.id = o.id AND d.status = 'sending'
        RETURNING d.id, d.subscriber_id, d.period, d.scheduled_for, d.status, string_to_array(o.papers, ' ') AS paper_ids),
      ledger AS (${recordSentFrom(sql`done`)})
      SELECT id FROM done`,
    'outcome',
  );
  return updated.map((r) => r.id);
}

/** The Message-ID of a delivery: stable across retries and resumes, and derived, so never stored. */
export function deliveryMessageId(deliveryId: string, domain: string): string {
  return `<digest.${deliveryId}@${domain}>`;
}
