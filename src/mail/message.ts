/**
 * Turns an OutgoingMail into nodemailer's message options, the one place both
 * transports (SMTP pool and outbox) agree on From, Reply-To, Message-ID and
 * extra headers, so a message looks the same whichever way it leaves.
 */
import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from './mailer.ts';

export interface Sender {
  /** MAIL_FROM, e.g. `paperboy <digest@example.org>`. */
  from: string;
  replyTo?: string;
}

/** The domain of the From address, for Message-IDs we generate. */
export function senderDomain(from: string): string {
  return envelopeSender(from).split('@').pop()?.trim().toLowerCase() || 'localhost';
}

/** The bare address of MAIL_FROM, for the SMTP envelope (MAIL FROM). */
export function envelopeSender(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

export function toMessageOptions(sender: Sender, mail: OutgoingMail): SendMailOptions {
  return {
    from: sender.from,
    ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: mail.headers ?? {},
    // A caller-supplied id (digests: derived from the delivery id) makes a resend recognisable.
    messageId: mail.messageId ?? `<${randomUUID()}@${senderDomain(sender.from)}>`,
  };
}
