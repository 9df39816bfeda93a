/**
 * Sends one batch of deliveries: choose papers, compose, claim (recording the
 * papers), hand to the mailer, record the outcome. Safe to run twice or concurrently on the same
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
import pLimit, { type LimitFunction } from 'p-limit';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { periodAt, type DigestPeriod } from '../digest/period.ts';
import { newSelectionRun, restoreSelection, selectDigests, windowPapers, type SelectionRun } from '../digest/select.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { classifySendError } from '../mail/smtp-errors.ts';
import { recordBounce } from './bounces.ts';
import type { ComposedMail, DigestComposer } from './compose.ts';
import { holdLeases, type BatchLease } from './lease.ts';
import { claimDeliveries, finishDeliveries, readClaimable, type Claim, type ClaimedDelivery, type Outcome } from './deliveries.repo.ts';

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
  /** Candidate windows, parsed keywords and the reader order, shared by the batches of one send run. */
  selection?: SelectionRun;
  /** Messages in flight in this process (shared by its concurrent batches); default: SEND_CONCURRENCY for this batch alone. */
  inFlight?: LimitFunction;
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

// The windows whose cards each run's composer has compiled.
const warmed = new WeakMap<DigestComposer, Set<string>>();

export async function sendBatch(deps: SendDeps, ids: string[]): Promise<BatchOutcome> {
  const { db, log, config } = deps;
  const out: BatchOutcome = { claimed: 0, sent: 0, skipped: 0, failed: 0, retry: 0, relayDown: false, leaseLost: 0 };
  const selection = deps.selection ?? newSelectionRun();
  const inFlight = deps.inFlight ?? pLimit(config.SEND_CONCURRENCY);

  // Read, choose and compose first; then one statement claims the batch with
  // the papers of each delivery (or settles it as skipped). A resume after a
  // crash finds those papers and sends the same digest.
  const readable = await readClaimable(db, ids, deps.now());
  const active = readable.filter((d) => d.subscriber.status === 'active');
  const requests = active.map((d) => ({ subscriber: d.subscriber, period: periodOf(d) }));
  const fresh = await selectDigests(db, requests, config, selection);
  const selections = await Promise.all(
    active.map((d, i) => (d.paperIds.length ? restoreSelection(db, selection, requests[i]!, d.paperIds, config, fresh[i]!) : fresh[i]!)),
  );
  // Every card of the windows in one MJML call, the first time a run meets a
  // window (later batches find them compiled); then composing is joins.
  let seen = warmed.get(deps.composer);
  if (!seen) warmed.set(deps.composer, (seen = new Set()));
  const windowKey = (p: DigestPeriod) => `${p.frequency}|${p.asOf.getTime()}`;
  const newWindows = requests.filter((r) => !seen.has(windowKey(r.period)) && seen.add(windowKey(r.period)));
  if (newWindows.length) await deps.composer.renderer.warm('email', await windowPapers(db, selection, newWindows.map((r) => r.period), config));
  const mails = new Map<string, ComposedMail>();
  for (const [i, d] of active.entries()) {
    const sel = selections[i]!;
    if (sel.kind === 'digest') mails.set(d.id, await deps.composer.compose(sel, d, d.subscriber.email, deps.now()));
  }
  const reasons = new Map<string, string>();
  readable.forEach((d) => d.subscriber.status !== 'active' && reasons.set(d.id, `subscriber is ${d.subscriber.status}`));
  active.forEach((d, i) => !mails.has(d.id) && reasons.set(d.id, selections[i]!.kind === 'skip' ? (selections[i] as { reason: string }).reason : 'nothing to send'));
  const claims: Claim[] = readable.map((d) => (reasons.has(d.id) ? { id: d.id, skip: reasons.get(d.id)! } : { id: d.id, paperIds: mails.get(d.id)!.paperIds, previous: d.paperIds }));
  const claimedAt = deps.now();
  const claimed = await claimDeliveries(db, claims, claimedAt, config.SEND_LEASE_SECONDS);
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

  const toSend: { d: ClaimedDelivery; attempts: number; mail: ComposedMail }[] = [];
  const byId = new Map(readable.map((d) => [d.id, d]));
  for (const c of claimed) {
    if (c.status === 'skipped') {
      const reason = reasons.get(c.id)!;
      out.skipped++;
      deps.metrics?.skipped(skipCategory(reason));
      log.info({ deliveryId: c.id, reason }, 'delivery skipped');
      continue;
    }
    const mail = mails.get(c.id)!;
    // Another runner chose different papers between our read and our claim: compose again next time.
    if (c.paperIds.join() !== mail.paperIds.join()) await record(c.id, { status: 'queued', reason: 'papers chosen elsewhere', uncounted: true });
    else toSend.push({ d: byId.get(c.id)!, attempts: c.attempts, mail });
  }

  // Lease heartbeat (lease.ts): renewed while the emails go out, checked before each one.
  const held = claimed.filter((c) => c.status !== 'skipped').map((c) => c.id);
  lease = await holdLeases(db, held, claimedAt, { leaseSeconds: config.SEND_LEASE_SECONDS, now: deps.now, log });

  let next = 0;
  const lane = async () => {
    while (next < toSend.length) {
      const { d, attempts, mail } = toSend[next++]!;
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
        await inFlight(() => deps.mailer.sendRaw({ to: mail.to, messageId: mail.messageId, raw: mail.raw, html: mail.html }));
        deps.metrics?.mailed('sent', took());
        await record(d.id, { status: 'sent', paperIds: mail.paperIds });
        out.sent++;
      } catch (err) {
        const failure = classifySendError(err);
        deps.metrics?.mailed(failure.kind === 'permanent' ? 'rejected' : failure.relayDown ? 'relay_down' : 'temporary', took());
        const at = { deliveryId: d.id, reason: failure.reason, attempts };
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
        } else if (attempts >= SEND_ATTEMPTS) {
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
    // A lane per message the process may have in flight; `inFlight` holds the
    // process to SEND_CONCURRENCY across the batches it runs at once.
    await Promise.all(Array.from({ length: Math.min(config.SEND_CONCURRENCY, toSend.length) }, lane));
  } finally {
    await lease.stop();
    await flush();
  }
  return out;
}
