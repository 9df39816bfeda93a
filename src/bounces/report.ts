/**
 * What a mail arriving at the bounce address says, parsed with postal-mime
 * (which keeps report parts and the quoted message apart; mailparser folds
 * message/delivery-status into the body text):
 * an RFC 3464 delivery-status notification (`multipart/report;
 * report-type=delivery-status`) or an RFC 5965 complaint (`multipart/report;
 * report-type=feedback-report`, ARF). Both carry the original message or its
 * headers, whose Message-ID names our delivery.
 */
import PostalMime, { type Attachment, type Email } from 'postal-mime';

export type Report =
  /** hard: permanent failure (5.x.x); soft: a delay or temporary failure (4.x.x). */
  | { kind: 'bounce'; type: 'hard' | 'soft'; recipient?: string; status?: string; diagnostic?: string; messageId?: string }
  | { kind: 'complaint'; feedbackType: string; recipient?: string; messageId?: string }
  /** Mail that is neither (an auto-reply, a "delivered" notice, spam to the bounce address). */
  | { kind: 'other'; reason: string; messageId?: string };

/** Header-style field blocks (RFC 3464 §2.1), separated by blank lines; names lower-cased. */
export function fieldBlocks(text: string): Record<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((block) =>
      Object.fromEntries(
        block
          .split('\n')
          .map((line) => /^([\w-]+):\s*(.*)$/.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1]!.toLowerCase(), m[2]!.trim()]),
      ),
    )
    .filter((b) => Object.keys(b).length > 0);
}

/** `rfc822; Ada@Example.org` → `Ada@Example.org`. */
const addressOf = (field?: string) => field?.replace(/^[\w-]+;\s*/, '').replace(/^<|>$/g, '').trim() || undefined;

const ORIGINAL = ['message/rfc822', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global', 'message/global-headers'];

const textOf = (a: Attachment) => (typeof a.content === 'string' ? a.content : new TextDecoder().decode(a.content));

/** The Message-ID of the original message the report quotes. */
function quotedMessageId(attachments: Attachment[]): string | undefined {
  for (const a of attachments) {
    if (!ORIGINAL.includes(a.mimeType.toLowerCase())) continue;
    const id = /^Message-ID:\s*(<[^>\s]+>)/im.exec(textOf(a).replace(/\r?\n[ \t]+/g, ' '))?.[1];
    if (id) return id;
  }
  return undefined;
}

const partOf = (attachments: Attachment[], type: string) => attachments.find((a) => a.mimeType.toLowerCase() === type);

export class ReportError extends Error {
  override name = 'ReportError';
}

export async function parseReport(raw: Buffer): Promise<Report> {
  let mail: Email;
  try {
    mail = await PostalMime.parse(raw);
  } catch (err) {
    throw new ReportError(`not a MIME message: ${(err as Error).message}`);
  }
  const attachments = mail.attachments ?? [];
  const messageId = quotedMessageId(attachments);

  const dsn = partOf(attachments, 'message/delivery-status') ?? partOf(attachments, 'message/global-delivery-status');
  if (dsn) {
    const [, ...recipients] = fieldBlocks(textOf(dsn));
    // One report may cover several recipients; we send one per message, so the first failed one decides.
    const r = recipients.find((b) => /^(failed|delayed)$/i.test(b.action ?? '')) ?? recipients[0];
    if (!r) throw new ReportError('delivery-status part without a per-recipient block');
    const action = (r.action ?? '').toLowerCase();
    const status = r.status;
    if (action !== 'failed' && action !== 'delayed') return { kind: 'other', reason: `delivery status ${action || 'without action'}`, messageId };
    const type = action === 'failed' && status?.startsWith('5') ? 'hard' : 'soft';
    return {
      kind: 'bounce',
      type,
      recipient: addressOf(r['final-recipient'] ?? r['original-recipient']),
      status,
      diagnostic: r['diagnostic-code']?.slice(0, 300),
      messageId,
    };
  }

  const arf = partOf(attachments, 'message/feedback-report');
  if (arf) {
    const fields = Object.assign({}, ...fieldBlocks(textOf(arf))) as Record<string, string>;
    const feedbackType = (fields['feedback-type'] ?? 'abuse').toLowerCase();
    // RFC 5965 §7.3: only abuse (and fraud/virus, also sent by a recipient's own act) are complaints.
    if (!['abuse', 'fraud', 'virus'].includes(feedbackType)) return { kind: 'other', reason: `feedback type ${feedbackType}`, messageId };
    return { kind: 'complaint', feedbackType, recipient: addressOf(fields['original-rcpt-to']), messageId };
  }

  const type = mail.headers.find((h) => h.key === 'content-type')?.value.split(';')[0] ?? 'no content type';
  return { kind: 'other', reason: `not a report (${type})`, messageId };
}
