/**
 * Turns a digest selection into the raw message for one recipient, with the
 * shared work done once per run: the digest module compiles each card's MJML
 * once, the MIME headers and structure are built once per frequency, and each
 * static piece of HTML and text (layout, card parts) is quoted-printable
 * encoded once, as is each rank and why-line (they recur across digests,
 * render.ts). Per recipient only the digest's own words (subject, heading)
 * and the recipient's values (address, Date, Message-ID, tokenised links)
 * are encoded, and the message is one Buffer.concat of encoded pieces
 * (see mail/mime-template.ts for why splicing encoded pieces is safe).
 */
import type { Config } from '../config.ts';
import { feedbackHtml } from '../digest/email-html.ts';
import { feedbackText } from '../digest/email-text.ts';
import { recipientFor } from '../digest/links.ts';
import { htmlValues, joinPieces, namedMarkers, pieceValue, splitAtNames, textValues, type FeedbackCard, type Piece, type PieceValues } from '../digest/personalise.ts';
import { createDigestRenderer, type DigestRenderer, type RendererOptions } from '../digest/render.ts';
import type { DigestSelection } from '../digest/select.ts';
import { emailContent } from '../digest/view.ts';
import { headerPolicy, mailDate, messageHeaders } from '../mail/headers.ts';
import { senderOf } from '../mail/message.ts';
import { compileMime, NO_PIECE, qpPiece, qpText, renderMime, type CompiledMime, type EncodedBytes, type EncodedPiece, type EncodedText, type Part } from '../mail/mime-template.ts';
import type { CardSignature } from '../profile/feedback-token.ts';
import { cardUrls, signCard } from '../profile/links.ts';
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

/** What a card's feedback block leaves open per reader: its signature's parts. */
const signatureParts = ['payload', 'followPayload', 'more', 'less', 'follow'] as const;
type SignaturePart = (typeof signatureParts)[number];
/** A card's feedback block for one output, encoded: static bytes, and the signature's parts between. */
type BlockTemplate = (EncodedBytes | SignaturePart)[];
const URL_SHAPE = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;

export function createDigestComposer(config: ComposeConfig, secrets: TokenSecrets, options: RendererOptions = {}): DigestComposer {
  const renderer = createDigestRenderer(config, options);
  const policy = headerPolicy(senderOf(config));
  const domain = policy.domain;
  // Headers and structure per frequency (List-Id differs); bodies are slots.
  const mimes = new Map<string, CompiledMime>();
  // Static pieces recur as the same strings: each is quoted-printable encoded once per run.
  const encoded = new Map<string, EncodedBytes>();

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

  const encodedStatic = (p: string) => {
    let buf = encoded.get(p);
    if (!buf) {
      if (encoded.size >= ENCODED_KEPT) encoded.clear();
      encoded.set(p, (buf = qpPiece(p)));
    }
    return buf;
  };

  // A card's feedback block is the same for every reader but for the card's
  // signature: built once per card and output with markers for the
  // signature's parts, its static parts encoded once; per reader only the
  // signature (one HMAC per card) is encoded, once for both outputs.
  const marks = namedMarkers(signatureParts);
  const markSignature: CardSignature = { payload: marks.payload, followPayload: marks.followPayload, tags: { more: marks.more, less: marks.less, follow: marks.follow } };
  const blocks = new WeakMap<FeedbackCard, { html: BlockTemplate; text: BlockTemplate }>();
  const templateOf = (block: string): BlockTemplate =>
    splitAtNames(block, marks).map((p) => (typeof p === 'string' ? encodedStatic(p) : p.name));
  function blockFor(paper: FeedbackCard) {
    let block = blocks.get(paper);
    if (!block) {
      const urls = cardUrls(config.publicUrl, markSignature, paper);
      for (const url of [urls.more, urls.less, urls.follow?.url]) if (url && !URL_SHAPE.test(url)) throw new Error('recipient feedback is not an absolute http(s) URL');
      block = { html: templateOf(feedbackHtml(urls, paper)), text: templateOf(feedbackText(urls, paper)) };
      blocks.set(paper, block);
    }
    return block;
  }

  /** The reader's encoded signature parts per paper: base64url, so quoted-printable and HTML take them as they are. */
  function readerSignatures(subscriberId: string, now: Date) {
    const signed = new Map<string, Record<SignaturePart, EncodedText>>();
    return (paper: FeedbackCard) => {
      let parts = signed.get(paper.id);
      if (!parts) {
        const sig = signCard({ secrets, subscriberId, paper, issuedAt: now });
        parts = {
          payload: qpText(sig.payload),
          followPayload: sig.followPayload === null ? NO_PIECE : qpText(sig.followPayload),
          more: qpText(sig.tags.more),
          less: qpText(sig.tags.less),
          follow: qpText(sig.tags.follow),
        };
        signed.set(paper.id, parts);
      }
      return parts;
    };
  }

  function encode(pieces: readonly Piece[], values: PieceValues, output: 'html' | 'text', signatures: (paper: FeedbackCard) => Record<SignaturePart, EncodedText>): EncodedPiece[] {
    const out: EncodedPiece[] = [];
    const slots = new Map<string, EncodedText>();
    for (const p of pieces) {
      if (typeof p === 'string') out.push(encodedStatic(p));
      // The digest's own words are encoded as they come (a subject differs from
      // digest to digest, and encoding one costs about a lookup), but for ranks
      // and why-lines: encoded once, kept on the piece (the renderer keeps its
      // why-lines; a table by text cost 0.5–1 µs a lookup with thousands in it).
      else if ('text' in p) out.push(p.recurs ? (p.encoded ??= qpText(p.text)) : qpText(p.text));
      else if ('card' in p && p.card === 'feedback') {
        const parts = signatures(p.paper);
        for (const b of blockFor(p.paper)[output]) out.push(typeof b === 'string' ? parts[b] : b);
      } else if ('slot' in p) {
        let v = slots.get(p.slot);
        if (v === undefined) slots.set(p.slot, (v = qpText(values.slots[p.slot])));
        out.push(v);
      } else out.push(qpText(pieceValue(p, values)));
    }
    return out;
  }

  return {
    renderer,
    async compose(selection, delivery, email, now) {
      const compiled = await renderer.compile(emailContent(selection));
      const recipient = recipientFor(config, secrets, { id: selection.subscriberId, email, topics: selection.mix.topics }, selection.period.localDate, now);
      const messageId = deliveryMessageId(delivery.id, domain);
      const html = htmlValues(recipient);
      const signatures = readerSignatures(selection.subscriberId, now);
      const raw = renderMime(mimeFor(selection.period.frequency), {
        to: email,
        subject: compiled.subject,
        date: mailDate(now),
        messageId,
        periodDate: selection.period.localDate,
        unsubscribeUrl: recipient.unsubscribeUrl,
        text: encode(compiled.text, textValues(recipient), 'text', signatures),
        html: encode(compiled.html, html, 'html', signatures),
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
