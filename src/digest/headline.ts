/** The words around the papers: subject, preheader, heading. English, dates in UTC terms of the local date. */
import type { Frequency } from '../db/schema.ts';

// Intl formatting costs tens of microseconds a call and every digest of a
// run prints the same few dates: remember them.
const days = new Map<string, string>();
const day = (localDate: string, opts: Intl.DateTimeFormatOptions) => {
  const key = `${localDate}|${opts.weekday ?? ''}|${opts.month ?? ''}|${opts.day ?? ''}|${opts.year ?? ''}`;
  let out = days.get(key);
  if (out === undefined) {
    if (days.size > 1000) days.clear();
    days.set(key, (out = new Date(`${localDate}T12:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', ...opts })));
  }
  return out;
};

export interface HeadlineInput {
  frequency: Frequency;
  /** The day, or the week's Monday. */
  localDate: string;
  /** 2025-12-08 or 2025-W50. */
  period: string;
  titles: string[];
}

const weekNumber = (period: string) => Number(period.slice(period.indexOf('W') + 1));

/** Cut at a word, with an ellipsis, so subjects stay readable in an inbox list. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max - 1);
  return `${text.slice(0, space > max / 2 ? space : max - 1).replace(/[\s,;:.–—-]+$/, '')}…`;
}

export function kicker(frequency: Frequency): string {
  return frequency === 'weekly' ? 'Weekly Papers' : 'Daily Papers';
}

/** Daily Papers · Dec 8 — Granite Vision: …   /   Weekly Papers · Week 50 — … */
export function subjectLine(h: HeadlineInput): string {
  const when = h.frequency === 'weekly' ? `Week ${weekNumber(h.period)}` : day(h.localDate, { month: 'short', day: 'numeric' });
  return `${kicker(h.frequency)} · ${when} — ${clip(h.titles[0] ?? '', 90)}`;
}

export function heading(h: HeadlineInput): string {
  if (h.frequency === 'daily') return day(h.localDate, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  const sunday = new Date(Date.parse(`${h.localDate}T12:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
  return `Week ${weekNumber(h.period)} · ${day(h.localDate, { month: 'short', day: 'numeric' })} – ${day(sunday, { month: 'short', day: 'numeric', year: 'numeric' })}`;
}

const papers = (n: number) => `${n} paper${n === 1 ? '' : 's'}`;

export function preheader(h: HeadlineInput): string {
  const rest = h.titles.slice(1, 3).map((t) => clip(t, 60));
  const lead = `${papers(h.titles.length)} ${h.frequency === 'weekly' ? 'this week' : 'today'}`;
  return rest.length ? `${lead} · also: ${rest.join(' · ')}` : lead;
}

export function intro(n: number, audience: 'email' | 'web', topicLabels: string[]): string {
  if (audience === 'email') return `The ${n === 1 ? 'trending paper' : `${n} trending papers`} picked for you from Hugging Face Daily Papers`;
  const on = topicLabels.length ? ` in ${topicLabels.join(', ')}` : '';
  return `The ${papers(n)} trending on Hugging Face Daily Papers${on}`;
}
