/**
 * A digest's content (what a render depends on) and its view (everything the
 * HTML and text outputs print). Equal content gives an equal `contentKey`,
 * which is what the render cache shares compiled output by.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Frequency } from '../db/schema.ts';
import { DEMO_NOTE } from '../papers/demo.ts';
import { topicLabel, type Topic } from '../papers/topics.ts';
import { toCards, type PaperCard } from './cards.ts';
import { heading, intro, kicker, preheader, subjectLine } from './headline.ts';
import type { SlotName } from './personalise.ts';
import type { DigestPaper, DigestSelection } from './select.ts';

export type Audience = 'email' | 'web';

export interface DigestContent {
  audience: Audience;
  frequency: Frequency;
  /** The day, or the week's Monday. */
  localDate: string;
  /** 2025-12-08 or 2025-W50. */
  period: string;
  papers: readonly DigestPaper[];
  /** Web view only: the topic mix it shows. */
  topics?: readonly Topic[];
}

export type RenderConfig = Pick<Config, 'MAIL_FROM' | 'MAIL_POSTAL_ADDRESS' | 'publicUrl'>;

export interface DigestView {
  audience: Audience;
  subject: string;
  preheader: string;
  kicker: string;
  heading: string;
  intro: string;
  cards: PaperCard[];
  senderLine: string;
  publicUrl: string;
  markers: Record<SlotName, string>;
}

/** The content of a chosen (not skipped) selection, for the email. */
export function emailContent(selection: Extract<DigestSelection, { kind: 'digest' }>): DigestContent {
  const { frequency, localDate, period } = selection.period;
  return { audience: 'email', frequency, localDate, period, papers: selection.papers };
}

/** "paperboy" from `paperboy <paperboy@example.org>`, then the postal line when configured. */
export function senderLine(config: RenderConfig): string {
  const from = config.MAIL_FROM.trim();
  const name = from.includes('<') ? from.slice(0, from.indexOf('<')).trim().replace(/^"|"$/g, '') : from;
  return [name || from, config.MAIL_POSTAL_ADDRESS?.trim()].filter(Boolean).join(' · ');
}

export function contentKey(content: DigestContent, cards: readonly PaperCard[], templates: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([templates, content.audience, content.frequency, content.localDate, content.period, content.topics ?? []]));
  for (const c of cards) h.update(c.fingerprint);
  return h.digest('base64url');
}

export function buildView(content: DigestContent, cards: PaperCard[], config: RenderConfig, markers: Record<SlotName, string>): DigestView {
  const h = { frequency: content.frequency, localDate: content.localDate, period: content.period, titles: cards.map((c) => c.title) };
  return {
    audience: content.audience,
    subject: subjectLine(h),
    preheader: preheader(h),
    kicker: kicker(content.frequency),
    heading: heading(h),
    // Demo papers say so wherever they are read: in the email and on the web edition.
    intro: `${intro(cards.length, content.audience, (content.topics ?? []).map(topicLabel))}${cards.some((c) => c.demo) ? `. ${DEMO_NOTE}` : ''}`,
    cards,
    senderLine: senderLine(config),
    publicUrl: config.publicUrl,
    markers,
  };
}

export { toCards };
