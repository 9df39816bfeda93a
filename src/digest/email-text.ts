/**
 * The plain-text part: the same papers and every link, wrapped for 72-column
 * readers. Per-recipient values are slot markers, like the HTML.
 */
import type { StaticCard } from './cards.ts';
import { CLICK_TRACKING_NOTICE } from '../profile/click.ts';
import type { FeedbackUrls } from '../profile/links.ts';
import type { LayoutMarkers } from './email-html.ts';
import type { FeedbackCard } from './personalise.ts';
import type { Audience } from './view.ts';

const WIDTH = 72;

export function wrap(text: string, indent: string, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** One card's text; the rank and the (wrapped) why-line are markers, as in the HTML. */
export function cardText(c: StaticCard, m: LayoutMarkers, showWhy: boolean, tracked = false): string {
  const pad = '   ';
  // The rank is 1–2 digits: wrap the title as if it took two.
  const out = [`${m.rank}. ${wrap(c.title, '', WIDTH - 4).replace(/\n/g, `\n${pad}`)}`];
  if (c.byline) out.push(wrap(c.byline, pad));
  out.push(wrap([c.counts, ...c.topics].filter(Boolean).join(' · '), pad));
  out.push('', wrap(c.summary, pad), '');
  // At least one space after the label, however long ("3 models · 1 dataset: …").
  const label = (s: string) => `${`${s}:`.padEnd(13)} `;
  // Tracked (CLICK_TRACKING=on): the recipient's counted-click link, as the HTML title's.
  out.push(`${pad}${label('Paper')}${tracked && !c.demo ? m.titleUrl : c.url}`);
  // A demo paper's arXiv search is its Paper link already; the Hub's counts link to the Paper page too, but their words are news.
  for (const l of c.links) if (!(c.demo && l.url === c.url)) out.push(`${pad}${label(l.label)}${l.url}`);
  if (showWhy) out.push(`${m.feedback}`, m.why);
  return `${out.join('\n')}\n\n`;
}

/** The recipient's feedback links for a card: each on a line of its own, inside the paper's block. */
export function feedbackText(urls: FeedbackUrls, paper: FeedbackCard): string {
  const pad = '   ';
  const lines = ['', `${pad}More like this: ${urls.more}`, `${pad}Less like this: ${urls.less}`];
  if (urls.follow && paper.follow) lines.push(`${pad}${paper.follow}: ${urls.follow.url}`);
  return `${lines.join('\n')}\n`;
}

/** The why-line as the text part prints it. */
export const whyText = (why: string) => wrap(`Why: ${why}`, '   ');

export const moreText = (m: LayoutMarkers) => `More papers on the web edition: ${m.webUrl}\n\n`;

/** Text before and after the cards, for one audience and frequency. */
export function textLayout(
  audience: Audience,
  kicker: string,
  publicUrl: string,
  senderLine: string,
  m: LayoutMarkers,
  tracked = false,
): { head: string; foot: string } {
  const rule = '-'.repeat(WIDTH);
  const foot =
    audience === 'email'
      ? [
          `Manage preferences: ${m.preferencesUrl}`,
          `Unsubscribe:        ${m.unsubscribeUrl}`,
          `View in browser:    ${m.webUrl}`,
          '',
          wrap(`You get this email because ${m.email} subscribed to ${kicker} at ${new URL(publicUrl).host}. Each paper says why it was picked.`, ''),
          ...(tracked ? ['', wrap(CLICK_TRACKING_NOTICE, '')] : []),
        ]
      : [`Get it by email: ${publicUrl}/`, `Atom feed: ${publicUrl}/feed.xml`, `JSON Feed: ${publicUrl}/feed.json`];
  return { head: `${m.kicker} · ${m.heading}\n${m.intro}\n\n`, foot: [rule, ...foot, '', senderLine, ''].join('\n') };
}
