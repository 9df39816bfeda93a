/**
 * Mailgun webhooks: the body carries `signature: { timestamp, token,
 * signature }`, the hex HMAC-SHA256 of timestamp + token under the webhook
 * signing key (MAILGUN_WEBHOOK_SIGNING_KEY).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { sameSecret } from '../../secret-compare.ts';
import type { EspEvent } from './events.ts';

export function verifyMailgun(key: string, body: unknown): boolean {
  const s = (body as { signature?: { timestamp?: unknown; token?: unknown; signature?: unknown } } | null)?.signature;
  if (!s || typeof s.timestamp !== 'string' || typeof s.token !== 'string' || typeof s.signature !== 'string') return false;
  const expected = createHmac('sha256', key).update(s.timestamp + s.token).digest('hex');
  return sameSecret(s.signature, expected);
}

export const mailgunBody = z.looseObject({
  signature: z.object({ timestamp: z.string(), token: z.string(), signature: z.string() }),
  'event-data': z.looseObject({
    event: z.string(),
    recipient: z.string(),
    severity: z.string().optional(),
    reason: z.string().optional(),
    'delivery-status': z.looseObject({ description: z.string().optional(), message: z.string().optional() }).optional(),
  }),
});

export function mailgunEvents(body: z.infer<typeof mailgunBody>): { events: EspEvent[]; ignored: number } {
  const e = body['event-data'];
  const reason = e['delivery-status']?.description || e['delivery-status']?.message || e.reason;
  if (e.event === 'failed') return { events: [{ email: e.recipient, type: e.severity === 'permanent' ? 'hard' : 'soft', reason }], ignored: 0 };
  if (e.event === 'complained') return { events: [{ email: e.recipient, type: 'complaint' }], ignored: 0 };
  return { events: [], ignored: 1 };
}
