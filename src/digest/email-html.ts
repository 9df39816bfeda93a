/**
 * The digest as MJML source: templates/digest.mjml around
 * templates/digest-card.mjml cards. Every outside value is escaped on the way
 * in (fillTemplate, escapeHtml); MJML copies it through as written. What
 * differs between digests (subject, rank, why-line…) and between recipients
 * appears as markers, filled after compiling (render.ts).
 */
import type { StaticCard } from './cards.ts';
import { escapeHtml } from './escape.ts';
import { CLICK_TRACKING_NOTICE } from '../profile/click.ts';
import type { FeedbackUrls } from '../profile/links.ts';
import type { CardSlot, FeedbackCard, SlotName } from './personalise.ts';
import { fillTemplate, loadTemplate } from './template.ts';
import type { Audience } from './view.ts';

const LINK = 'class="pb-link" style="color:#2563eb;font-weight:600;text-decoration:none;"';
const DOT = '<span class="pb-muted" style="color:#9ca3af;"> · </span>';

const a = (href: string, label: string) => `<a ${LINK} href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;

/** Marker strings for what a compiled part leaves open (see render.ts). */
export type LayoutMarkers = Record<'subject' | 'preheader' | 'kicker' | 'heading' | 'intro' | 'rank' | 'why' | SlotName | CardSlot, string>;

/** More like this · Less like this · Follow …: the recipient's signed links for this paper, filled per recipient. */
export function feedbackHtml(urls: FeedbackUrls, paper: FeedbackCard): string {
  const links = [a(urls.more, 'More like this'), a(urls.less, 'Less like this')];
  if (urls.follow && paper.follow) links.push(a(urls.follow.url, paper.follow));
  return `<div class="pb-feedback" style="margin:8px 0 0;font-size:13px;line-height:1.8;">${links.join(DOT)}</div>`;
}

/**
 * One card; rank, why-line and the recipient's feedback links are markers, so
 * the compiled card serves every digest that shows the paper. The email shows
 * why-line and feedback links; the web edition neither. `tracked`
 * (CLICK_TRACKING=on, email only): the title links through the recipient's
 * counted-click redirect, a marker too; a demo paper's title search never does.
 */
export function cardMjml(card: StaticCard, m: LayoutMarkers, showWhy: boolean, tracked = false): string {
  const chips = card.topics
    .map(
      (t) =>
        `<span class="pb-chip" style="display:inline-block;margin:6px 4px 0 0;padding:1px 9px;border-radius:999px;background:#eef2ff;color:#4338ca;font-size:12px;font-weight:600;line-height:20px;">${escapeHtml(t)}</span>`,
    )
    .join('');
  return fillTemplate(loadTemplate('digest-card.mjml'), {
    rank: m.rank,
    countsHtml: card.counts ? escapeHtml(card.counts).replaceAll(' ', '&nbsp;') : '',
    url: tracked && !card.demo ? m.titleUrl : card.url,
    title: card.title,
    bylineHtml: card.byline
      ? `<div class="pb-muted" style="font-size:13px;line-height:1.45;color:#6b7280;">${escapeHtml(card.byline)}</div>`
      : '',
    chipsHtml: chips ? `<div style="line-height:20px;">${chips}</div>` : '',
    summary: card.summary,
    linksHtml: card.links.map((l) => a(l.url, l.label)).join(DOT) + (showWhy ? m.feedback : ''),
    whyHtml: showWhy
      ? `<div class="pb-why pb-muted" style="margin:12px 0 0;padding:10px 0 0;border-top:1px solid #f0e6d2;font-size:13px;line-height:1.45;color:#6b7280;">Why: ${m.why}</div>`
      : '',
  });
}

/** Shown instead of the cards that would push the email past Gmail's clipping size. */
export function moreMjml(m: LayoutMarkers): string {
  return `<mj-text padding="0 4px 14px"><div style="font-size:14px;line-height:1.6;">${a(m.webUrl, 'More papers on the web edition')}</div></mj-text>`;
}

function footer(audience: Audience, publicUrl: string, m: LayoutMarkers, tracked: boolean): { footerLinksHtml: string; footerNoteHtml: string } {
  if (audience === 'web') {
    return {
      footerLinksHtml: [a(`${publicUrl}/`, 'Get it by email'), a(`${publicUrl}/feed.xml`, 'Atom feed'), a(`${publicUrl}/feed.json`, 'JSON Feed')].join(DOT),
      footerNoteHtml: 'The public web edition of the digest: the same papers a subscriber following these topics gets, without personal data.',
    };
  }
  return {
    footerLinksHtml: [a(m.preferencesUrl, 'Manage preferences'), a(m.unsubscribeUrl, 'Unsubscribe'), a(m.webUrl, 'View in browser')].join(DOT),
    footerNoteHtml:
      `You get this email because ${m.email} subscribed to ${m.kicker} at ${escapeHtml(new URL(publicUrl).host)}. ` +
      'Each paper says why it was picked; change topics, keywords, send time or frequency in your preferences, or leave with one click.' +
      (tracked ? ` ${escapeHtml(CLICK_TRACKING_NOTICE)}` : ''),
  };
}

/** The whole email around `cardsMjml`; every per-digest value is a marker. `tracked`: the footer says clicks are counted. */
export function layoutMjml(audience: Audience, publicUrl: string, senderLine: string, m: LayoutMarkers, cardsMjml: string, tracked = false): string {
  return fillTemplate(loadTemplate('digest.mjml'), {
    subject: m.subject,
    preheader: m.preheader,
    kicker: m.kicker,
    heading: m.heading,
    intro: m.intro,
    cardsHtml: cardsMjml,
    ...footer(audience, publicUrl, m, tracked),
    senderLine,
  });
}
