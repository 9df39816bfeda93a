/**
 * A digest's content (what a render depends on) and the words around its
 * cards (subject, heading…).
 */
import type { Config } from '../config.ts';
import type { Frequency } from '../db/schema.ts';
import { DEMO_NOTE, isDemoPaper } from '../papers/demo.ts';
import { topicLabel, type Topic } from '../papers/topics.ts';
import { heading, intro, kicker, preheader, subjectLine } from './headline.ts';
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

export type RenderConfig = Pick<Config, 'MAIL_FROM' | 'MAIL_POSTAL_ADDRESS' | 'publicUrl' | 'CLICK_TRACKING'>;

/** The words around the cards of one digest. */
export interface DigestWords {
  subject: string;
  preheader: string;
  kicker: string;
  heading: string;
  intro: string;
}

/** The content of a chosen (not skipped) selection, for the email. */
export function emailContent(selection: Extract<DigestSelection, { kind: 'digest' }>): DigestContent {
  const { frequency, localDate, period } = selection.period;
  return { audience: 'email', frequency, localDate, period, papers: selection.papers };
}

/** "paperboy" from `paperboy <paperboy@example.org>`, then the postal line when configured. */
export function senderLine(config: Pick<Config, 'MAIL_FROM' | 'MAIL_POSTAL_ADDRESS'>): string {
  const from = config.MAIL_FROM.trim();
  const name = from.includes('<') ? from.slice(0, from.indexOf('<')).trim().replace(/^"|"$/g, '') : from;
  return [name || from, config.MAIL_POSTAL_ADDRESS?.trim()].filter(Boolean).join(' · ');
}

export function digestWords(content: DigestContent, titles: string[]): DigestWords {
  const h = { frequency: content.frequency, localDate: content.localDate, period: content.period, titles };
  return {
    subject: subjectLine(h),
    preheader: preheader(h),
    kicker: kicker(content.frequency),
    heading: heading(h),
    // Demo papers say so wherever they are read: in the email and on the web edition.
    intro: `${intro(titles.length, content.audience, (content.topics ?? []).map(topicLabel))}${content.papers.some((p) => isDemoPaper(p)) ? `. ${DEMO_NOTE}` : ''}`,
  };
}
