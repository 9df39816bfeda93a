/**
 * Amazon SES notifications (inside an SNS Notification's Message): bounce
 * and complaint events, whether sent as identity notifications
 * (`notificationType`) or configuration-set events (`eventType`).
 */
import { z } from 'zod';
import type { EspEvent } from './events.ts';

const recipients = z.array(z.looseObject({ emailAddress: z.string(), diagnosticCode: z.string().optional() })).default([]);

const sesEvent = z.looseObject({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  bounce: z.looseObject({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: recipients }).optional(),
  complaint: z.looseObject({ complainedRecipients: recipients, complaintFeedbackType: z.string().optional() }).optional(),
});

/** Events to apply, and how many parts were not bounces or complaints (deliveries, opens…). */
export function sesEvents(message: string): { events: EspEvent[]; ignored: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { events: [], ignored: 1 };
  }
  const r = sesEvent.safeParse(parsed);
  if (!r.success) return { events: [], ignored: 1 };
  const kind = r.data.notificationType ?? r.data.eventType;
  if (kind === 'Bounce' && r.data.bounce) {
    // Permanent: the address does not exist; Transient and Undetermined may pass.
    const type = r.data.bounce.bounceType === 'Permanent' ? 'hard' : 'soft';
    return { events: r.data.bounce.bouncedRecipients.map((x) => ({ email: x.emailAddress, type, reason: x.diagnosticCode ?? r.data.bounce!.bounceSubType })), ignored: 0 };
  }
  if (kind === 'Complaint' && r.data.complaint) {
    return { events: r.data.complaint.complainedRecipients.map((x) => ({ email: x.emailAddress, type: 'complaint', reason: r.data.complaint!.complaintFeedbackType })), ignored: 0 };
  }
  return { events: [], ignored: 1 };
}
