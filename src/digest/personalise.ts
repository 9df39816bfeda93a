/**
 * The per-recipient step of render-once. A compiled digest is a list of
 * pieces (render.ts): static text, the digest's own words, and slots for what
 * differs between recipients. Personalising is a join of those pieces with the
 * recipient's values: no parsing, no MJML, microseconds per email.
 *
 * Two kinds of slot: the recipient's own (address, preferences, unsubscribe and
 * web-edition links) and, on each card, the recipient's feedback links for
 * that paper (More like this, Less like this, Follow …), signed per paper,
 * and with CLICK_TRACKING=on the title's link (profile/click.ts).
 *
 * HTML values are escaped (they sit in text and in href="…"); URLs must be
 * absolute http(s). Text values go in as they are.
 */
import { randomBytes } from 'node:crypto';
import type { EncodedText } from '../mail/mime-template.ts';
import type { FeedbackPaper, FeedbackUrls } from '../profile/links.ts';
import { feedbackHtml } from './email-html.ts';
import { feedbackText } from './email-text.ts';
import { escapeHtml } from './escape.ts';

export const slotNames = ['email', 'unsubscribeUrl', 'preferencesUrl', 'webUrl'] as const;
export type SlotName = (typeof slotNames)[number];

/** A card's feedback links (the whole block) and, when clicks are tracked, its title link: filled per recipient. */
export const cardSlotNames = ['feedback', 'titleUrl'] as const;
export type CardSlot = (typeof cardSlotNames)[number];

/** What a card's feedback block names: the paper, and the Follow link's label (null: nothing to follow). */
export type FeedbackCard = FeedbackPaper & { follow: string | null };

/** What differs between two recipients of the same digest. */
export type Recipient = Record<SlotName, string> & {
  /** The recipient's feedback links for a paper of their digest. */
  feedback: (paper: FeedbackPaper) => FeedbackUrls;
  /** Where the title of a paper of their digest links for this recipient (a counted click, profile/click.ts). */
  click: (paperId: string) => string;
};

/**
 * A compiled digest as a list of pieces: static text shared by every digest
 * that shows it (layout and card parts: the same string objects, so
 * delivery/compose.ts encodes each once), text of this digest (subject,
 * heading, and ranks and why-lines, which recur across digests as the same
 * `recurs` pieces; all already escaped), the recipient's slots, and each
 * card's feedback slots.
 */
export type Piece = string | { text: string; recurs?: undefined } | RecurringText | { slot: SlotName } | { card: CardSlot; paper: FeedbackCard };

/**
 * Text that recurs across digests (a rank, a why-line), as the same object
 * wherever it does: its encoding is kept on it (`encoded`, set by
 * delivery/compose.ts), so a why-line thousands of readers share is encoded
 * once and found without a lookup by its text.
 */
export interface RecurringText {
  readonly text: string;
  readonly recurs: true;
  encoded: EncodedText | undefined;
}

export const recurringText = (text: string): RecurringText => ({ text, recurs: true, encoded: undefined });

/** A recipient's values, ready for one output (HTML escaped, or text). */
export interface PieceValues {
  slots: Record<SlotName, string>;
  card(slot: CardSlot, paper: FeedbackCard): string;
}

export function pieceValue(p: Exclude<Piece, string>, values: PieceValues): string {
  if ('text' in p) return p.text;
  if ('slot' in p) return values.slots[p.slot];
  return values.card(p.card, p.paper);
}

export function joinPieces(pieces: readonly Piece[], values: PieceValues): string {
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : pieceValue(p, values);
  return out;
}

/**
 * Markers are letters and digits only, so MJML copies them through untouched
 * in text and attributes, and carry a random nonce, so a paper title cannot
 * spell one and have a subscriber's link substituted into it.
 */
export function namedMarkers<N extends string>(names: readonly N[], nonce = randomBytes(6).toString('hex')): Record<N, string> {
  return Object.fromEntries(names.map((s) => [s, `pbslot${nonce}${s}end`])) as Record<N, string>;
}

/** Splits at markers of any names: static text, and the names between. */
export function splitAtNames<N extends string>(text: string, markers: Record<N, string>): (string | { name: N })[] {
  const names = Object.keys(markers) as N[];
  const byMarker = new Map(names.map((n) => [markers[n], n]));
  const out: (string | { name: N })[] = [];
  let last = 0;
  for (const m of text.matchAll(new RegExp(names.map((n) => markers[n]).join('|'), 'g'))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ name: byMarker.get(m[0])! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const URL_SLOTS: SlotName[] = ['unsubscribeUrl', 'preferencesUrl', 'webUrl'];

// No spaces or control characters: a URL that needs them was built wrong.
const checkUrl = (name: string, url: string) => {
  if (!/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(url)) throw new Error(`recipient ${name} is not an absolute http(s) URL`);
  return url;
};

const signedFor = new WeakMap<Recipient, Map<string, FeedbackUrls>>();

/** A card's links, signed once per paper and recipient however often the outputs print them. */
function cardValues(r: Recipient, block: (urls: FeedbackUrls, paper: FeedbackCard) => string, escape: (s: string) => string): PieceValues['card'] {
  let signed = signedFor.get(r);
  if (!signed) signedFor.set(r, (signed = new Map()));
  return (slot, paper) => {
    if (slot === 'titleUrl') return escape(checkUrl('title', r.click(paper.id)));
    let urls = signed!.get(paper.id);
    if (!urls) {
      urls = r.feedback(paper);
      checkUrl('feedback', urls.more);
      checkUrl('feedback', urls.less);
      if (urls.follow) checkUrl('feedback', urls.follow.url);
      signed!.set(paper.id, urls);
    }
    return block(urls, paper);
  };
}

export function htmlValues(r: Recipient): PieceValues {
  for (const s of URL_SLOTS) checkUrl(s, r[s]);
  return {
    slots: {
      email: escapeHtml(r.email),
      unsubscribeUrl: escapeHtml(r.unsubscribeUrl),
      preferencesUrl: escapeHtml(r.preferencesUrl),
      webUrl: escapeHtml(r.webUrl),
    },
    card: cardValues(r, feedbackHtml, escapeHtml),
  };
}

export function textValues(r: Recipient): PieceValues {
  for (const s of URL_SLOTS) checkUrl(s, r[s]);
  // A line break in an address would let it forge lines of the text part.
  const { feedback: _feedback, click: _click, ...slots } = r;
  return { slots: { ...slots, email: r.email.replace(/[\r\n]+/g, ' ') }, card: cardValues(r, feedbackText, (s) => s) };
}
