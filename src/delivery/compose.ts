/**
 * Turns a digest selection into the raw message for one recipient, with all
 * the per-content work done once: the digest module compiles the MJML once
 * per distinct content, and here the MIME (headers, boundaries,
 * quoted-printable bodies) is built once per compiled digest as well. Per
 * recipient only the address, Date, Message-ID and tokenised links are
 * encoded and spliced in (see mail/mime-template.ts).
 */
import type { Config } from '../config.ts';
import { recipientFor } from '../digest/links.ts';
import { htmlValues, joinSlots, textValues, type SplitText } from '../digest/personalise.ts';
import { createDigestRenderer, type CompiledDigest, type DigestRenderer } from '../digest/render.ts';
import type { DigestSelection } from '../digest/select.ts';
import { emailContent } from '../digest/view.ts';
import { headerPolicy, mailDate, messageHeaders } from '../mail/headers.ts';
import { senderOf } from '../mail/message.ts';
import { compileMime, renderMime, type CompiledMime, type Part } from '../mail/mime-template.ts';
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

const slots = (split: SplitText, prefix: string): Part[] => {
  const out: Part[] = [split.parts[0]!];
  split.slots.forEach((slot, i) => out.push({ slot: `${prefix}.${slot}` }, split.parts[i + 1]!));
  return out;
};

const prefixed = (values: Record<string, string>, prefix: string) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]));

/** `List-Id: paperboy daily <daily.example.org>` (RFC 2919): lets mailbox filters find the list. */
const listId = (domain: string, frequency: string) => `paperboy ${frequency} <${frequency}.${domain}>`;

export function createDigestComposer(config: ComposeConfig, secrets: TokenSecrets, options: { maxEntries?: number } = {}): DigestComposer {
  const renderer = createDigestRenderer(config, options);
  // Keyed like the renderer's cache and bounded the same way.
  const mimes = new Map<string, CompiledMime>();
  const maxEntries = options.maxEntries ?? 1000;
  const policy = headerPolicy(senderOf(config));
  const domain = policy.domain;

  function mimeFor(compiled: CompiledDigest, frequency: string): CompiledMime {
    let mime = mimes.get(compiled.key);
    if (mime) return mime;
    const unsubscribe: Part[] = ['<', { slot: 'unsubscribeUrl' }, '>'];
    if (config.UNSUBSCRIBE_MAILTO) unsubscribe.push(`, <mailto:${config.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>`);
    mime = compileMime({
      headers: messageHeaders(policy, {
        to: [{ slot: 'to' }],
        subject: compiled.subject,
        date: [{ slot: 'date' }],
        messageId: [{ slot: 'messageId' }],
        feedback: { campaign: 'digest', frequency, date: [{ slot: 'periodDate' }] },
        list: { id: listId(domain, frequency), unsubscribe },
      }),
      text: slots(compiled.text, 'text'),
      html: slots(compiled.html, 'html'),
    });
    mimes.set(compiled.key, mime);
    while (mimes.size > maxEntries) mimes.delete(mimes.keys().next().value!);
    return mime;
  }

  return {
    renderer,
    async compose(selection, delivery, email, now) {
      const compiled = await renderer.compile(emailContent(selection));
      const recipient = recipientFor(config, secrets, { id: selection.subscriberId, email, topics: selection.mix.topics }, selection.period.localDate, now);
      const messageId = deliveryMessageId(delivery.id, domain);
      const html = htmlValues(recipient);
      const raw = renderMime(mimeFor(compiled, selection.period.frequency), {
        to: email,
        date: mailDate(now),
        messageId,
        periodDate: selection.period.localDate,
        unsubscribeUrl: recipient.unsubscribeUrl,
        ...prefixed(textValues(recipient), 'text'),
        ...prefixed(html, 'html'),
      });
      return {
        to: email,
        messageId,
        subject: compiled.subject,
        paperIds: compiled.paperIds,
        raw,
        html: () => joinSlots(compiled.html, html),
      };
    },
  };
}
