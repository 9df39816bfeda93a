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
import { candidatesFor, preferenceMix, selectDigests, type CandidateCache, type DigestPaper, type DigestSelection } from '../digest/select.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { classifySendError } from '../mail/smtp-errors.ts';
import { recordBounce } from './bounces.ts';
import type { ComposedMail, DigestComposer } from './compose.ts';
import { holdLeases, type BatchLease } from './lease.ts';
import { claimDeliveries, finishDeliveries, rememberSelections, type ClaimedDelivery, type Outcome } from './deliveries.repo.ts';

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
  /** Candidate lists shared by the batches of one send run. */
  candidates?: CandidateCache;
  /** Counts each outcome (Prometheus metrics); optional so tools and tests need none. */
  metrics?: SendMetrics;
}

/** Bounded reasons for a skip, for metric labels (the full reason stays on the row). */
export type SkipCategory = 'subscriber_inactive' | 'no_matching_papers' | 'all_already_sent' | 'other';

export interface SendMetrics {
  /** One email handed to the transport: how it went and how long it took. */
  mailed(outcome: 'sent' | 'rejected' | 'temporary' | 'relay_down', seconds: number): void;
  failed(kind: 'rejected' | 'attempts_exhausted'): void;
  skipped(reason: SkipCategory): void;
}

/** The selection's reasons are sentences (digest/select.ts); their category, for counting. */
export function skipCategory(reason: string): SkipCategory {
  if (reason.startsWith('subscriber is ')) return 'subscriber_inactive';
  if (reason.startsWith('no papers ')) return 'no_matching_papers';
  if (/^all \d+ matching papers .* already sent$/.test(reason)) return 'all_already_sent';
  return 'other';
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
  /** Left unsent because their lease was lost (lease.ts): another runner holds them now. */
  leaseLost: number;
}

/**
 * Outcomes are written in small groups rather than one UPDATE per email: a
 * delivery is marked sent at most FLUSH_EVERY emails after the relay's 250,
 * which bounds what a crash can make us send again (with the same Message-ID).
 */
const FLUSH_EVERY = 20;

// A batch is mostly subscribers of one zone and hour (the planner orders it
// so), and time-zone arithmetic through Intl is not free: reuse the answer.
const periods = new Map<string, DigestPeriod>();

function periodOf(d: ClaimedDelivery): DigestPeriod {
  const { timezone, frequency, sendHour } = d.subscriber;
  const key = `${timezone}|${frequency}|${sendHour}|${d.period}|${d.scheduledFor.getTime()}`;
  let period = periods.get(key);
  if (!period) {
    if (periods.size > 10_000) periods.clear();
    period = { ...periodAt(d.subscriber, d.scheduledFor), period: d.period, asOf: d.scheduledFor };
    periods.set(key, period);
  }
  return period;
}

/**
 * A delivery resumed after a crash may already have gone out once (killed
 * between the relay's 250 and our commit). It must carry the same papers, so
 * the papers chosen then are reused rather than re-ranked.
 */
async function restoreSelection(deps: SendDeps, d: ClaimedDelivery, fresh: DigestSelection): Promise<DigestSelection> {
  if (!d.paperIds.length) return fresh;
  const mix = preferenceMix(d.subscriber);
  const period = periodOf(d);
  const byId = new Map((await candidatesFor(deps.db, mix, period, deps.config, deps.candidates)).map((p) => [p.id, p]));
  const papers = d.paperIds.map((id) => byId.get(id));
  // A paper that left the window since cannot be shown again: choose afresh.
  if (papers.some((p) => !p)) return fresh;
  return { kind: 'digest', subscriberId: d.subscriber.id, period, mix, papers: papers as DigestPaper[] };
}

export async function sendBatch(deps: SendDeps, ids: string[]): Promise<BatchOutcome> {
  const { db, log, config } = deps;
  const out: BatchOutcome = { claimed: 0, sent: 0, skipped: 0, failed: 0, retry: 0, relayDown: false, leaseLost: 0 };
  const claimedAt = deps.now();
  const claimed = await claimDeliveries(db, ids, claimedAt, config.SEND_LEASE_SECONDS);
  out.claimed = claimed.length;

  let pending: { id: string; outcome: Outcome }[] = [];
  let lease: BatchLease | undefined;
  const flush = async () => {
    const batch = pending;
    pending = [];
    const write = () => finishDeliveries(db, batch, deps.now());
    await (lease ? lease.settle(batch.map((b) => b.id), write) : write());
  };
  const record = async (id: string, outcome: Outcome) => {
    pending.push({ id, outcome });
    if (pending.length >= FLUSH_EVERY) await flush();
  };

  const active: ClaimedDelivery[] = [];
  for (const d of claimed) {
    if (d.subscriber.status === 'active') active.push(d);
    else {
      await record(d.id, { status: 'skipped', reason: `subscriber is ${d.subscriber.status}` });
      out.skipped++;
      deps.metrics?.skipped('subscriber_inactive');
    }
  }
  const fresh = await selectDigests(db, active.map((d) => ({ subscriber: d.subscriber, period: periodOf(d) })), config, deps.candidates);
  const selections = await Promise.all(active.map((d, i) => restoreSelection(deps, d, fresh[i]!)));

  // Compose everything first and record the chosen papers in one statement,
  // before any email leaves: a resume after a crash must send the same digest.
  // One at a time: a first compile of each content runs MJML, and fifty of
  // those at once would hold hundreds of megabytes for no gain in speed.
  const mails: (ComposedMail | null)[] = [];
  for (const [i, d] of active.entries()) {
    const sel = selections[i]!;
    mails.push(sel.kind === 'digest' ? await deps.composer.compose(sel, d, d.subscriber.email, deps.now()) : null);
  }
  await rememberSelections(db, active.flatMap((d, i) => (mails[i] && !d.paperIds.length ? [{ id: d.id, paperIds: mails[i]!.paperIds }] : [])));

  // Lease heartbeat (lease.ts): renewed while the emails go out, checked before each one.
  lease = await holdLeases(db, active.map((d) => d.id), claimedAt, { leaseSeconds: config.SEND_LEASE_SECONDS, now: deps.now, log });
  let next = 0;
  const lane = async () => {
    while (next < active.length) {
      const i = next++;
      const d = active[i]!;
      const mail = mails[i];
      const sel = selections[i]!;
      if (!mail || sel.kind === 'skip') {
        const reason = sel.kind === 'skip' ? sel.reason : 'nothing to send';
        await record(d.id, { status: 'skipped', reason });
        out.skipped++;
        deps.metrics?.skipped(skipCategory(reason));
        log.info({ deliveryId: d.id, reason }, 'delivery skipped');
        continue;
      }
      if (out.relayDown) {
        await record(d.id, { status: 'queued', reason: 'mail relay unavailable', uncounted: true });
        continue;
      }
      if (!lease.holds(d.id)) {
        out.leaseLost++;
        continue;
      }
      const started = performance.now();
      const took = () => (performance.now() - started) / 1000;
      try {
        await deps.mailer.sendRaw({ to: mail.to, messageId: mail.messageId, raw: mail.raw, html: mail.html });
        deps.metrics?.mailed('sent', took());
        await record(d.id, { status: 'sent', messageId: mail.messageId, paperIds: mail.paperIds });
        out.sent++;
      } catch (err) {
        const failure = classifySendError(err);
        deps.metrics?.mailed(failure.kind === 'permanent' ? 'rejected' : failure.relayDown ? 'relay_down' : 'temporary', took());
        const at = { deliveryId: d.id, reason: failure.reason, attempts: d.attempts };
        if (failure.kind === 'permanent') {
          await record(d.id, { status: 'failed', reason: failure.reason });
          await recordBounce(db, { subscriberId: d.subscriber.id }, 'hard', { limit: config.BOUNCE_LIMIT, via: 'bounce', detail: { deliveryId: d.id, reason: failure.reason } });
          out.failed++;
          deps.metrics?.failed('rejected');
          log.warn(at, 'delivery rejected permanently');
        } else if (failure.relayDown) {
          out.relayDown = true;
          await record(d.id, { status: 'queued', reason: failure.reason, uncounted: true });
          log.warn(at, 'mail relay unavailable');
        } else if (d.attempts >= SEND_ATTEMPTS) {
          await record(d.id, { status: 'failed', reason: failure.reason });
          out.failed++;
          deps.metrics?.failed('attempts_exhausted');
          log.warn(at, 'delivery failed after its last attempt');
        } else {
          await record(d.id, { status: 'queued', reason: failure.reason });
          out.retry++;
          log.info(at, 'delivery will be retried');
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.SEND_CONCURRENCY, active.length) }, lane));
  } finally {
    await lease.stop();
    await flush();
  }
  return out;
}
