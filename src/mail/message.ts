/**
 * Turns an OutgoingMail (confirmations, test mails) into a raw message with
 * the same builder and header list as digests (mime-template.ts, headers.ts),
 * so every email paperboy sends is built one way, whichever transport it
 * leaves by.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { domainOf } from './address.ts';
import { mailDate, messageHeaders, type HeaderPolicy } from './headers.ts';
import type { OutgoingMail, RawMail } from './mailer.ts';
import { compileMime, renderMime } from './mime-template.ts';

export interface Sender {
  /** MAIL_FROM, e.g. `paperboy <digest@example.org>`. */
  from: string;
  replyTo?: string;
  /** MAIL_HEADERS. */
  mailHeaders?: Record<string, string>;
  /** BOUNCE_ADDRESS and BOUNCE_VERP (see envelope.ts). */
  bounceAddress?: string;
  verp?: boolean;
}

export type SenderConfig = Pick<Config, 'MAIL_FROM' | 'REPLY_TO' | 'MAIL_HEADERS' | 'BOUNCE_ADDRESS' | 'BOUNCE_VERP'>;

export function senderOf(config: SenderConfig): Sender {
  return {
    from: config.MAIL_FROM,
    ...(config.REPLY_TO ? { replyTo: config.REPLY_TO } : {}),
    ...(config.MAIL_HEADERS ? { mailHeaders: config.MAIL_HEADERS } : {}),
    ...(config.BOUNCE_ADDRESS ? { bounceAddress: config.BOUNCE_ADDRESS, verp: config.BOUNCE_VERP } : {}),
  };
}

/** The domain of the From address, for Message-IDs we generate. */
export function senderDomain(from: string): string {
  return domainOf(from) || 'localhost';
}

export function composeMail(policy: HeaderPolicy, mail: OutgoingMail, now = new Date()): RawMail {
  const messageId = mail.messageId ?? `<${randomUUID()}@${policy.domain}>`;
  const mime = compileMime({
    headers: messageHeaders(policy, {
      to: mail.to,
      subject: mail.subject,
      date: mailDate(now),
      messageId,
      feedback: { campaign: mail.campaign ?? 'mail', frequency: 'once', date: now.toISOString().slice(0, 10) },
    }),
    text: [mail.text],
    html: [mail.html],
  });
  return { to: mail.to, messageId, raw: renderMime(mime, {}), html: () => mail.html };
}
