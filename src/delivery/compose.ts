/**
 * Turns a digest selection into the raw message for one recipient, with the
 * shared work done once per run: the digest module compiles each card's MJML
 * once, the MIME headers and structure are built once per frequency, and each
 * static piece of HTML and text (layout, card parts) is quoted-printable
 * encoded once. Per recipient only the digest's own words (subject, ranks,
 * why-lines) and the recipient's values (address, Date, Message-ID, tokenised
 * links) are encoded, and the message is one Buffer.concat of encoded pieces
 * (see mail/mime-template.ts for why splicing encoded pieces is safe).
 */
import type { Config } from '../config.ts';
import { recipientFor } from '../digest/links.ts';
import { htmlValues, joinPieces, pieceValue, textValues, type Piece, type PieceValues } from '../digest/personalise.ts';
import { createDigestRenderer, type DigestRenderer } from '../digest/render.ts';
import type { DigestSelection } from '../digest/select.ts';
import { emailContent } from '../digest/view.ts';
import { headerPolicy, mailDate, messageHeaders } from '../mail/headers.ts';
import { senderOf } from '../mail/message.ts';
import { compileMime, qpPiece, renderMime, type CompiledMime, type Part } from '../mail/mime-template.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { deliveryMessageId } from './deliveries.repo.ts';

export type ComposeConfig = Pick<
  Config,
  | 'publicUrl'
  | 'MAIL_FROM'
  | 'REPLY_TO'
  | 'MAIL_HEADERS'
  | 'BOUNCE_ADDRESS'
  | 'BOUNCE_VERP'
  | 'UNSUBSCRIBE_MAILTO'
  | 'MAIL_POSTAL_ADDRESS'
  | 'DIGEST_SIZE'
  | 'TRENDING_GRAVITY'
  | 'CLICK_TRACKING'
>;

export interface ComposedMail {
  to: string;
  messageId: string;
  subject: string;
  paperIds: string[];
  /** The whole RFC 5322 message. */
  raw: Buffer;
  /** The personalised HTML, for the outbox's browser-friendly copy. */
  html(): string;
}

export interface DigestComposer {
  compose(selection: Extract<DigestSelection, { kind: 'digest' }>, delivery: { id: string }, email: string, now: Date): Promise<ComposedMail>;
  readonly renderer: DigestRenderer;
}

/** `List-Id: paperboy daily <daily.example.org>` (RFC 2919): lets mailbox filters find the list. */
const listId = (domain: string, frequency: string) => `paperboy ${frequency} <${frequency}.${domain}>`;

/** Encoded pieces kept; static pieces (layout and card parts) are a few thousand per run. */
const ENCODED_KEPT = 20_000;

export function createDigestComposer(config: ComposeConfig, secrets: TokenSecrets, options: { maxEntries?: number } = {}): DigestComposer {
  const renderer = createDigestRenderer(config, options);
  const policy = headerPolicy(senderOf(config));
  const domain = policy.domain;
  // Headers and structure per frequency (List-Id differs); bodies are slots.
  const mimes = new Map<string, CompiledMime>();
  // Static pieces are shared string objects: each is quoted-printable encoded once per run.
  const encoded = new Map<string, Buffer>();

  function mimeFor(frequency: string): CompiledMime {
    let mime = mimes.get(frequency);
    if (mime) return mime;
    const unsubscribe: Part[] = ['<', { slot: 'unsubscribeUrl' }, '>'];
    if (config.UNSUBSCRIBE_MAILTO) unsubscribe.push(`, <mailto:${config.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>`);
    mime = compileMime({
      headers: messageHeaders(policy, {
        to: [{ slot: 'to' }],
        // A slot: subjects differ per digest, the headers are built once per frequency.
        subject: [{ slot: 'subject' }],
        date: [{ slot: 'date' }],
        messageId: [{ slot: 'messageId' }],
        feedback: { campaign: 'digest', frequency, date: [{ slot: 'periodDate' }] },
        list: { id: listId(domain, frequency), unsubscribe },
      }),
      text: [{ slot: 'text' }],
      html: [{ slot: 'html' }],
    });
    mimes.set(frequency, mime);
    return mime;
  }

  // The digest's own words repeat across digests too (ranks, why-lines, subjects).
  const words = new Map<string, Buffer>();
  const cached = (cache: Map<string, Buffer>, s: string) => {
    let buf = cache.get(s);
    if (!buf) {
      if (cache.size >= ENCODED_KEPT) cache.clear();
      cache.set(s, (buf = qpPiece(s)));
    }
    return buf;
  };

  function encode(pieces: readonly Piece[], values: PieceValues): Buffer[] {
    return pieces.map((p) => {
      if (typeof p === 'string') return cached(encoded, p);
      if ('text' in p) return cached(words, p.text);
      return qpPiece(pieceValue(p, values));
    });
  }

  return {
    renderer,
    async compose(selection, delivery, email, now) {
      const compiled = await renderer.compile(emailContent(selection));
      const recipient = recipientFor(config, secrets, { id: selection.subscriberId, email, topics: selection.mix.topics }, selection.period.localDate, now);
      const messageId = deliveryMessageId(delivery.id, domain);
      const html = htmlValues(recipient);
      const raw = renderMime(mimeFor(selection.period.frequency), {
        to: email,
        subject: compiled.subject,
        date: mailDate(now),
        messageId,
        periodDate: selection.period.localDate,
        unsubscribeUrl: recipient.unsubscribeUrl,
        text: encode(compiled.text, textValues(recipient)),
        html: encode(compiled.html, html),
      });
      return {
        to: email,
        messageId,
        subject: compiled.subject,
        paperIds: compiled.paperIds,
        raw,
        html: () => joinPieces(compiled.html, html),
      };
    },
  };
}
