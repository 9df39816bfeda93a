/**
 * Sends one batch of deliveries: claim, choose papers, compose, hand to the
 * mailer, record the outcome. Safe to run twice or concurrently on the same
 * ids: the claim lets only one runner hold a delivery, and a delivery that is
 * no longer `queued` (or stuck past its lease) is not claimed at all.
 *
 * Failures:
 *  - 5xx from the relay: the address is bad. The delivery fails and a hard
 *    bounce is counted (BOUNCE_LIMIT of them suppress the subscriber).
 *  - 4xx: back to `queued`; the caller retries with backoff; after
 *    SEND_ATTEMPTS it stays `failed` with the reason.
 *  - No answer at all (refused, timed out): the relay is down, not the
 *    address. The batch stops, everything goes back to `queued` without using
 *    up an attempt, and the caller waits before trying again — so an outage
 *    of any length drops nothing.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { periodAt, type DigestPeriod } from '../digest/period.ts';
import { queryCandidates, WINDOW_DAYS } from '../digest/candidates.ts';
import { preferenceMix, selectDigests, type DigestSelection, type DigestPaper } from '../digest/select.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { classifySendError } from '../mail/smtp-errors.ts';
import { recordBounce } from './bounces.ts';
import type { DigestComposer } from './compose.ts';
import { claimDeliveries, finishDelivery, rememberSelection, type ClaimedDelivery } from './deliveries.repo.ts';

/** Tries per delivery for transient (4xx) failures before it stays `failed`. */
export const SEND_ATTEMPTS = 6;

export type SendConfig = Pick<Config, 'DIGEST_SIZE' | 'TRENDING_GRAVITY' | 'SEND_CONCURRENCY' | 'SEND_LEASE_SECONDS' | 'BOUNCE_LIMIT'>;

export interface SendDeps {
  db: Db;
  log: Logger;
  mailer: Mailer;
  composer: DigestComposer;
  config: SendConfig;
  now: () => Date;
}

export interface BatchOutcome {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Back in the queue after a 4xx: the caller should retry the batch later. */
  retry: number;
  /** The relay did not answer: the caller should pause before retrying. */
  relayDown: boolean;
}

function periodOf(d: ClaimedDelivery): DigestPeriod {
  return { ...periodAt(d.subscriber, d.scheduledFor), period: d.period, asOf: d.scheduledFor };
}

/**
 * A delivery resumed after a crash may already have gone out once (killed
 * between the relay's 250 and our commit). It must carry the same papers, so
 * the papers chosen then are reused rather than re-ranked.
 */
async function restoreSelection(db: Db, d: ClaimedDelivery, fresh: DigestSelection, config: SendConfig): Promise<DigestSelection> {
  if (!d.paperIds.length) return fresh;
  const mix = preferenceMix(d.subscriber);
  const period = periodOf(d);
  const rows = await queryCandidates(db, { ...mix, asOf: period.asOf, windowDays: WINDOW_DAYS[period.frequency], gravity: config.TRENDING_GRAVITY });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const papers: DigestPaper[] = [];
  for (const id of d.paperIds) {
    const row = byId.get(id);
    if (!row) return fresh; // a paper left the window since: fall back to a fresh choice
    const { matchedTopics, matchedKeywords, ...rest } = row;
    papers.push({ ...rest, why: { topics: matchedTopics, keywords: matchedKeywords } });
  }
  return { kind: 'digest', subscriberId: d.subscriber.id, period, mix, papers };
}

export async function sendBatch(deps: SendDeps, ids: string[]): Promise<BatchOutcome> {
  const { db, log, config } = deps;
  const out: BatchOutcome = { claimed: 0, sent: 0, skipped: 0, failed: 0, retry: 0, relayDown: false };
  const claimed = await claimDeliveries(db, ids, deps.now(), config.SEND_LEASE_SECONDS);
  out.claimed = claimed.length;
  const finish = (id: string, outcome: Parameters<typeof finishDelivery>[2]) => finishDelivery(db, id, outcome, deps.now());

  const active = claimed.filter((d) => d.subscriber.status === 'active');
  for (const d of claimed) {
    if (d.subscriber.status !== 'active') {
      await finish(d.id, { status: 'skipped', reason: `subscriber is ${d.subscriber.status}` });
      out.skipped++;
    }
  }
  const selections = await selectDigests(db, active.map((d) => ({ subscriber: d.subscriber, period: periodOf(d) })), config);

  let next = 0;
  const lane = async () => {
    while (next < active.length) {
      const i = next++;
      const d = active[i]!;
      const jobLog = log.child({ deliveryId: d.id });
      if (out.relayDown) {
        await finish(d.id, { status: 'queued', reason: 'mail relay unavailable', uncounted: true });
        continue;
      }
      const selection = await restoreSelection(db, d, selections[i]!, config);
      if (selection.kind === 'skip') {
        await finish(d.id, { status: 'skipped', reason: selection.reason });
        out.skipped++;
        jobLog.info({ reason: selection.reason }, 'delivery skipped');
        continue;
      }
      const mail = await deps.composer.compose(selection, d, d.subscriber.email, deps.now());
      if (!d.paperIds.length) await rememberSelection(db, d.id, mail.paperIds);
      try {
        const sent = await deps.mailer.sendRaw({ to: mail.to, messageId: mail.messageId, raw: mail.raw, html: mail.html });
        await finish(d.id, { status: 'sent', messageId: mail.messageId, paperIds: mail.paperIds });
        out.sent++;
        jobLog.debug({ response: sent.response }, 'delivery sent');
      } catch (err) {
        const failure = classifySendError(err);
        if (failure.kind === 'permanent') {
          await finish(d.id, { status: 'failed', reason: failure.reason });
          await recordBounce(db, { subscriberId: d.subscriber.id }, 'hard', { limit: config.BOUNCE_LIMIT, via: 'bounce', detail: { deliveryId: d.id, reason: failure.reason } });
          out.failed++;
          jobLog.warn({ reason: failure.reason }, 'delivery rejected permanently');
        } else if (failure.relayDown) {
          out.relayDown = true;
          await finish(d.id, { status: 'queued', reason: failure.reason, uncounted: true });
          jobLog.warn({ reason: failure.reason }, 'mail relay unavailable');
        } else if (d.attempts >= SEND_ATTEMPTS) {
          await finish(d.id, { status: 'failed', reason: failure.reason });
          out.failed++;
          jobLog.warn({ reason: failure.reason, attempts: d.attempts }, 'delivery failed after its last attempt');
        } else {
          await finish(d.id, { status: 'queued', reason: failure.reason });
          out.retry++;
          jobLog.info({ reason: failure.reason, attempts: d.attempts }, 'delivery will be retried');
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.SEND_CONCURRENCY, active.length) }, lane));
  return out;
}
