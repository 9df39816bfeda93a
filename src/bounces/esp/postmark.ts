/**
 * Postmark webhooks carry no signature: Postmark sends the credentials you
 * put in the webhook URL (basic auth) or a custom header. Either must carry
 * POSTMARK_WEBHOOK_TOKEN: as the basic-auth password (any user name), or as
 * `Authorization: Bearer …`.
 */
import { z } from 'zod';
import { sameSecret } from '../../secret-compare.ts';
import type { EspEvent } from './events.ts';

export function verifyPostmark(token: string, authorization: string | undefined): boolean {
  const m = /^(Basic|Bearer) (.+)$/i.exec(authorization ?? '');
  if (!m) return false;
  if (m[1]!.toLowerCase() === 'bearer') return sameSecret(m[2]!, token);
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  return sameSecret(decoded.slice(decoded.indexOf(':') + 1), token);
}

export const postmarkBody = z.looseObject({
  RecordType: z.string(),
  Email: z.string(),
  Type: z.string().optional(),
  Description: z.string().optional(),
  Details: z.string().optional(),
});

// Postmark's bounce types: the address is gone, or the failure may pass.
const HARD = ['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated'];
const SOFT = ['SoftBounce', 'Transient', 'DnsError', 'Blocked'];

export function postmarkEvents(body: z.infer<typeof postmarkBody>): { events: EspEvent[]; ignored: number } {
  if (body.RecordType === 'SpamComplaint') return { events: [{ email: body.Email, type: 'complaint' }], ignored: 0 };
  if (body.RecordType === 'Bounce' && body.Type && (HARD.includes(body.Type) || SOFT.includes(body.Type))) {
    return { events: [{ email: body.Email, type: HARD.includes(body.Type) ? 'hard' : 'soft', reason: body.Details ?? body.Description }], ignored: 0 };
  }
  return { events: [], ignored: 1 };
}
