/**
 * The digest as MJML source: templates/digest.mjml with one
 * templates/digest-card.mjml per paper. Every outside value is escaped on the
 * way in (fillTemplate, escapeHtml); MJML copies it through as written.
 * Per-recipient values appear as slot markers, replaced after compiling.
 */
import type { PaperCard } from './cards.ts';
import { escapeHtml } from './escape.ts';
import { fillTemplate, loadTemplate } from './template.ts';
import type { DigestView } from './view.ts';

const LINK = 'class="pb-link" style="color:#2563eb;font-weight:600;text-decoration:none;"';
const DOT = '<span class="pb-muted" style="color:#9ca3af;"> · </span>';

const a = (href: string, label: string) => `<a ${LINK} href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;

function cardMjml(card: PaperCard, showWhy: boolean): string {
  const chips = card.topics
    .map(
      (t) =>
        `<span class="pb-chip" style="display:inline-block;margin:6px 4px 0 0;padding:1px 9px;border-radius:999px;background:#eef2ff;color:#4338ca;font-size:12px;font-weight:600;line-height:20px;">${escapeHtml(t)}</span>`,
    )
    .join('');
  return fillTemplate(loadTemplate('digest-card.mjml'), {
    rank: card.rank,
    countsHtml: card.counts ? escapeHtml(card.counts).replaceAll(' ', '&nbsp;') : '',
    url: card.url,
    title: card.title,
    bylineHtml: card.byline
      ? `<div class="pb-muted" style="font-size:13px;line-height:1.45;color:#6b7280;">${escapeHtml(card.byline)}</div>`
      : '',
    chipsHtml: chips ? `<div style="line-height:20px;">${chips}</div>` : '',
    summary: card.summary,
    linksHtml: card.links.map((l) => a(l.url, l.label)).join(DOT),
    whyHtml: showWhy
      ? `<div class="pb-why pb-muted" style="margin:12px 0 0;padding:10px 0 0;border-top:1px solid #f0e6d2;font-size:13px;line-height:1.45;color:#6b7280;">Why: ${escapeHtml(card.why)}</div>`
      : '',
  });
}

function footer(view: DigestView): { footerLinksHtml: string; footerNoteHtml: string } {
  if (view.audience === 'web') {
    return {
      footerLinksHtml: [
        a(`${view.publicUrl}/`, 'Get it by email'),
        a(`${view.publicUrl}/feed.xml`, 'Atom feed'),
        a(`${view.publicUrl}/feed.json`, 'JSON Feed'),
      ].join(DOT),
      footerNoteHtml: 'The public web edition of the digest: the same papers a subscriber following these topics gets, without personal data.',
    };
  }
  const m = view.markers;
  return {
    footerLinksHtml: [a(m.preferencesUrl, 'Manage preferences'), a(m.unsubscribeUrl, 'Unsubscribe'), a(m.webUrl, 'View in browser')].join(DOT),
    footerNoteHtml:
      `You get this email because ${m.email} subscribed to ${escapeHtml(view.kicker)} at ${escapeHtml(new URL(view.publicUrl).host)}. ` +
      'Each paper says why it was picked; change topics, keywords, send time or frequency in your preferences, or leave with one click.',
  };
}

export function digestMjml(view: DigestView): string {
  return fillTemplate(loadTemplate('digest.mjml'), {
    subject: view.subject,
    preheader: view.preheader,
    kicker: view.kicker,
    heading: view.heading,
    intro: view.intro,
    cardsHtml: view.cards.map((c) => cardMjml(c, view.audience === 'email')).join('\n'),
    ...footer(view),
    senderLine: view.senderLine,
  });
}
