/**
 * One piece of mail at the bounce address, from bytes to suppression: parse
 * (report.ts), find the delivery (match.ts), apply the rules every bounce
 * source shares (delivery/bounces.ts: hard counts toward BOUNCE_LIMIT, soft
 * is only recorded, a complaint suppresses). Whatever cannot be used is
 * counted and logged, never thrown: the sending system gets its 250 and does
 * not retry, so nothing loops.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { recordBounce } from '../delivery/bounces.ts';
import type { Logger } from '../log.ts';
import { matchDelivery } from './match.ts';
import { parseReport, ReportError } from './report.ts';

export type BounceOutcome = 'hard' | 'soft' | 'complaint' | 'other' | 'unmatched' | 'unparsable';
export const bounceOutcomes: BounceOutcome[] = ['hard', 'soft', 'complaint', 'other', 'unmatched', 'unparsable'];
export type BounceSource = 'smtp' | 'ses' | 'sendgrid' | 'mailgun' | 'postmark';

/** The metrics hook (src/metrics/registry.ts counts these). */
export interface BounceMetrics {
  report(source: BounceSource, outcome: BounceOutcome): void;
}

export interface BounceDeps {
  db: Db;
  config: Pick<Config, 'BOUNCE_LIMIT'>;
  log: Pick<Logger, 'info' | 'warn'>;
  metrics?: BounceMetrics;
}

export async function handleBounceMail(deps: BounceDeps, mail: { raw: Buffer; verpTag?: string; envelopeFrom?: string }): Promise<BounceOutcome> {
  const outcome = await classify(deps, mail);
  deps.metrics?.report('smtp', outcome);
  return outcome;
}

async function classify(deps: BounceDeps, mail: { raw: Buffer; verpTag?: string; envelopeFrom?: string }): Promise<BounceOutcome> {
  const { db, config, log } = deps;
  let report;
  try {
    report = await parseReport(mail.raw);
  } catch (err) {
    if (!(err instanceof ReportError)) throw err;
    log.warn({ reason: err.message, from: mail.envelopeFrom, bytes: mail.raw.length }, 'bounce mail unparsable');
    return 'unparsable';
  }
  if (report.kind === 'other') {
    log.info({ reason: report.reason, from: mail.envelopeFrom }, 'bounce mail ignored: not a failure or complaint');
    return 'other';
  }
  const match = await matchDelivery(db, { verpTag: mail.verpTag, messageId: report.messageId });
  if (!match) {
    log.warn({ kind: report.kind, verpTag: mail.verpTag, messageId: report.messageId, from: mail.envelopeFrom }, 'bounce mail matches no delivery');
    return 'unmatched';
  }
  const type = report.kind === 'complaint' ? 'complaint' : report.type;
  const detail =
    report.kind === 'complaint'
      ? { source: 'arf', deliveryId: match.deliveryId, feedbackType: report.feedbackType }
      : { source: 'dsn', deliveryId: match.deliveryId, status: report.status, reason: report.diagnostic };
  const result = await recordBounce(db, { subscriberId: match.subscriberId }, type, { limit: config.BOUNCE_LIMIT, via: 'bounce', detail });
  log.info({ type, deliveryId: match.deliveryId, suppressed: result?.suppressed ?? false }, 'bounce report');
  return type;
}
