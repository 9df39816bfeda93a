/**
 * SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature over
 * the timestamp header followed by the raw body, checked with the
 * verification key SendGrid shows (base64 DER, SENDGRID_WEBHOOK_PUBLIC_KEY).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { EspEvent } from './events.ts';

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

export function sendgridKey(base64OrPem: string): KeyObject {
  return base64OrPem.includes('-----BEGIN')
    ? createPublicKey(base64OrPem.replace(/\\n/g, '\n'))
    : createPublicKey({ key: Buffer.from(base64OrPem, 'base64'), format: 'der', type: 'spki' });
}

export function verifySendgrid(key: KeyObject, raw: string, signature: string | undefined, timestamp: string | undefined): boolean {
  if (!signature || !timestamp) return false;
  try {
    return verify('sha256', Buffer.from(timestamp + raw, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export const sendgridBody = z.array(z.looseObject({ email: z.string(), event: z.string(), type: z.string().optional(), reason: z.string().optional() })).max(10_000);

export function sendgridEvents(body: z.infer<typeof sendgridBody>): { events: EspEvent[]; ignored: number } {
  const events: EspEvent[] = [];
  for (const e of body) {
    // bounce/type=bounce: permanent; type=blocked and deferred: temporary.
    if (e.event === 'bounce') events.push({ email: e.email, type: e.type === 'blocked' ? 'soft' : 'hard', reason: e.reason });
    else if (e.event === 'deferred') events.push({ email: e.email, type: 'soft', reason: e.reason });
    else if (e.event === 'spamreport') events.push({ email: e.email, type: 'complaint' });
  }
  return { events, ignored: body.length - events.length };
}
