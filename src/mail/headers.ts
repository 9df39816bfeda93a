/**
 * The header list of every email paperboy sends (digests and confirmations
 * alike), in one place so both look the same to a mailbox provider: From and
 * Reply-To built by address.ts, Feedback-ID for Gmail's feedback loop,
 * X-Auto-Response-Suppress so Exchange does not answer with out-of-office
 * mail, and the operator's MAIL_HEADERS last. Values may hold slots filled
 * per recipient (see mime-template.ts).
 */
import { domainOf, formatMailbox, parseMailbox } from './address.ts';
import type { MimeSpec, Part } from './mime-template.ts';

/** Headers paperboy sets itself; MAIL_HEADERS may not replace them (config.ts refuses). */
export const RESERVED_HEADERS = [
  'from', 'reply-to', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe',
  'list-unsubscribe-post', 'feedback-id', 'x-auto-response-suppress', 'mime-version', 'content-type',
  'content-transfer-encoding', 'dkim-signature', 'return-path', 'sender',
];

export interface HeaderPolicy {
  from: string;
  replyTo?: string;
  /** The From domain: Message-IDs, List-Id and Feedback-ID's sender field. */
  domain: string;
  custom: [string, string][];
}

/** From MAIL_FROM, REPLY_TO and MAIL_HEADERS (see message.ts's Sender). */
export function headerPolicy(sender: { from: string; replyTo?: string; mailHeaders?: Record<string, string> }): HeaderPolicy {
  return {
    from: formatMailbox(parseMailbox(sender.from)),
    ...(sender.replyTo ? { replyTo: formatMailbox(parseMailbox(sender.replyTo)) } : {}),
    domain: domainOf(sender.from),
    custom: Object.entries(sender.mailHeaders ?? {}),
  };
}

type Value = string | Part[];

export interface MessageHeaders {
  to: Value;
  subject: string;
  date: Value;
  messageId: Value;
  /** Feedback-ID fields: what kind of mail, how often, which day (e.g. digest, daily, 2025-12-08). */
  feedback: { campaign: string; frequency: string; date: Value };
  /** Digests only: List-Id and the one-click unsubscribe pair (RFC 2369, 2919, 8058). */
  list?: { id: string; unsubscribe: Part[] };
}

const concat = (...values: Value[]): Part[] => values.flatMap((v) => (typeof v === 'string' ? [v] : v));

export function messageHeaders(policy: HeaderPolicy, m: MessageHeaders): MimeSpec['headers'] {
  const headers: MimeSpec['headers'] = [['From', policy.from]];
  if (policy.replyTo) headers.push(['Reply-To', policy.replyTo]);
  headers.push(['To', m.to], ['Subject', m.subject], ['Date', m.date], ['Message-ID', m.messageId]);
  if (m.list) {
    headers.push(
      ['List-Id', m.list.id],
      ['List-Unsubscribe', m.list.unsubscribe],
      // RFC 8058: mailbox providers may POST this body to the URL above.
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    );
  }
  // Gmail's Feedback Loop: campaign:customer:type:sender, the last field constant per sender.
  headers.push(['Feedback-ID', concat(`${m.feedback.campaign}:${m.feedback.frequency}:`, m.feedback.date, `:${policy.domain}`)]);
  headers.push(['X-Auto-Response-Suppress', 'OOF, AutoReply']);
  headers.push(...policy.custom);
  return headers;
}

/** `Tue, 01 Dec 2026 13:00:00 +0000` (RFC 5322 §3.3). */
export const mailDate = (d: Date) => d.toUTCString().replace('GMT', '+0000');
