/**
 * The plain-text part: the same papers and every link, wrapped for 72-column
 * readers. Per-recipient values are slot markers, like the HTML.
 */
import type { PaperCard } from './cards.ts';
import type { DigestView } from './view.ts';

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

function cardText(c: PaperCard, showWhy: boolean): string {
  const pad = '   ';
  const out = [wrap(`${c.rank}. ${c.title}`, '').replace(/\n/g, `\n${pad}`)];
  if (c.byline) out.push(wrap(c.byline, pad));
  const stats = `▲ ${c.upvotes.toLocaleString('en-US')} upvotes · ${c.comments.toLocaleString('en-US')} comment${c.comments === 1 ? '' : 's'}`;
  out.push(wrap([stats, ...c.topics].join(' · '), pad));
  out.push('', wrap(c.summary, pad), '');
  // At least one space after the label, however long ("3 models · 1 dataset: …").
  const label = (s: string) => `${`${s}:`.padEnd(13)} `;
  out.push(`${pad}${label('Paper')}${c.url}`);
  for (const l of c.links) out.push(`${pad}${label(l.label)}${l.url}`);
  if (showWhy) out.push('', wrap(`Why: ${c.why}`, pad));
  return out.join('\n');
}

export function digestText(view: DigestView): string {
  const m = view.markers;
  const rule = '-'.repeat(WIDTH);
  const head = [`${view.kicker} · ${view.heading}`, view.intro, ''];
  const cards = view.cards.map((c) => cardText(c, view.audience === 'email')).join(`\n\n`);
  const foot =
    view.audience === 'email'
      ? [
          `Manage preferences: ${m.preferencesUrl}`,
          `Unsubscribe:        ${m.unsubscribeUrl}`,
          `View in browser:    ${m.webUrl}`,
          '',
          wrap(`You get this email because ${m.email} subscribed to ${view.kicker} at ${new URL(view.publicUrl).host}. Each paper says why it was picked.`, ''),
        ]
      : [`Get it by email: ${view.publicUrl}/`, `Atom feed: ${view.publicUrl}/feed.xml`, `JSON Feed: ${view.publicUrl}/feed.json`];
  return [...head, cards, '', rule, ...foot, '', view.senderLine, ''].join('\n');
}
