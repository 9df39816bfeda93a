/**
 * The per-recipient step of render-once. A compiled digest's HTML and text are
 * split, once, at slot markers into static parts; personalising is then a
 * join of those parts with the recipient's values: no parsing, no MJML, a few
 * microseconds per email.
 *
 *   html = parts[0] + v(slots[0]) + parts[1] + … + v(slots[n-1]) + parts[n]
 *
 * HTML values are escaped (they sit in text and in href="…"); URLs must be
 * absolute http(s). Text values go in as they are.
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml } from './escape.ts';

export const slotNames = ['email', 'unsubscribeUrl', 'preferencesUrl', 'webUrl'] as const;
export type SlotName = (typeof slotNames)[number];

/** What differs between two recipients of the same digest. */
export type Recipient = Record<SlotName, string>;

export interface SplitText {
  /** Static text; one more entry than `slots`. */
  parts: string[];
  slots: SlotName[];
}

/**
 * Markers are letters and digits only, so MJML copies them through untouched
 * in text and attributes, and carry a random nonce, so a paper title cannot
 * spell one and have a subscriber's link substituted into it.
 */
export function createMarkers(nonce = randomBytes(6).toString('hex')): Record<SlotName, string> {
  return namedMarkers(slotNames, nonce);
}

export function namedMarkers<N extends string>(names: readonly N[], nonce = randomBytes(6).toString('hex')): Record<N, string> {
  return Object.fromEntries(names.map((s) => [s, `pbslot${nonce}${s}end`])) as Record<N, string>;
}

export function splitAtMarkers(text: string, markers: Record<SlotName, string>): SplitText {
  const byMarker = new Map(slotNames.map((s) => [markers[s], s]));
  const pattern = new RegExp(slotNames.map((s) => markers[s]).join('|'), 'g');
  const parts: string[] = [];
  const slots: SlotName[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    parts.push(text.slice(last, m.index));
    slots.push(byMarker.get(m[0])!);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return { parts, slots };
}

/**
 * A compiled digest as a list of pieces: static text shared by every digest
 * that shows it (the same string objects, so mail/mime-template.ts encodes each
 * once), text of this digest (rank, why-line, subject; already escaped), and
 * the recipient's slots.
 */
export type Piece = string | { text: string } | { slot: SlotName };

export function joinPieces(pieces: readonly Piece[], values: Record<SlotName, string>): string {
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : 'text' in p ? p.text : values[p.slot];
  return out;
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

export function joinSlots(split: SplitText, values: Record<SlotName, string>): string {
  let out = split.parts[0]!;
  for (let i = 0; i < split.slots.length; i++) out += values[split.slots[i]!] + split.parts[i + 1]!;
  return out;
}

const URL_SLOTS: SlotName[] = ['unsubscribeUrl', 'preferencesUrl', 'webUrl'];

function checkRecipient(r: Recipient): void {
  for (const s of URL_SLOTS) {
    // No spaces or control characters: a URL that needs them was built wrong.
    if (!/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(r[s])) throw new Error(`recipient ${s} is not an absolute http(s) URL`);
  }
}

export function htmlValues(r: Recipient): Record<SlotName, string> {
  checkRecipient(r);
  return {
    email: escapeHtml(r.email),
    unsubscribeUrl: escapeHtml(r.unsubscribeUrl),
    preferencesUrl: escapeHtml(r.preferencesUrl),
    webUrl: escapeHtml(r.webUrl),
  };
}

export function textValues(r: Recipient): Record<SlotName, string> {
  checkRecipient(r);
  // A line break in an address would let it forge lines of the text part.
  return { ...r, email: r.email.replace(/[\r\n]+/g, ' ') };
}
