/**
 * What a card shows, worked out once from a chosen paper and shared by the
 * HTML, the plain text, the web view and the feeds. Plain strings here; each
 * output escapes them its own way.
 */
import { createHash } from 'node:crypto';
import { topicLabel, type Topic } from '../papers/topics.ts';
import { httpUrl } from './escape.ts';
import type { DigestPaper, Why } from './select.ts';
import { cardSummary } from './summary.ts';

export interface CardLink {
  label: string;
  url: string;
}

export interface PaperCard {
  rank: number;
  id: string;
  title: string;
  url: string;
  /** "Dec 8, 2025 · ByteDance Seed" or "Dec 8, 2025 · 9 authors"; null when nothing is known. */
  byline: string | null;
  upvotes: number;
  comments: number;
  topics: string[];
  summary: string;
  links: CardLink[];
  /** "Matches your topics Language models and Reasoning"; the email shows it, the web view does not. */
  why: string;
  /** Everything above, hashed: equal cards render equally. */
  fingerprint: string;
}

export const paperUrl = (id: string) => `https://huggingface.co/papers/${encodeURIComponent(id).replaceAll('%2F', '/')}`;
const arxivUrl = (kind: 'abs' | 'pdf', id: string) => `https://arxiv.org/${kind}/${encodeURIComponent(id).replaceAll('%2F', '/')}`;

export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  const k = n / 1000;
  return k < 100 ? `${k.toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(k)}k`;
}

const DATE = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });

/**
 * "Dec 8, 2025 · ByteDance Seed", or "Dec 8, 2025 · 9 authors" when no
 * organisation is known: the day it was on Daily Papers and who it is from.
 * Authors marked hidden on Hugging Face are never stored, so never counted.
 */
export function byline(p: Pick<DigestPaper, 'authors' | 'organizationName' | 'organizationFullname'> & { dailyDate?: string }): string | null {
  const org = p.organizationFullname?.trim() || p.organizationName?.trim() || '';
  const n = p.authors.length;
  const who = org || (n ? `${n.toLocaleString('en-US')} author${n === 1 ? '' : 's'}` : '');
  const day = p.dailyDate ? DATE.format(new Date(`${p.dailyDate}T00:00:00Z`)) : '';
  return [day, who].filter(Boolean).join(' · ') || null;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "3 models · 1 dataset · 2 Spaces" citing the paper on the Hub, or null when none (or not yet known). */
export function repoCounts(p: Partial<Pick<DigestPaper, 'models' | 'datasets' | 'spaces'>>): string | null {
  const parts = [
    p.models ? plural(p.models, 'model', 'models') : '',
    p.datasets ? plural(p.datasets, 'dataset', 'datasets') : '',
    p.spaces ? plural(p.spaces, 'Space', 'Spaces') : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

const listing = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

export function whyLine(why: Why): string {
  const topics = why.topics.map((t) => topicLabel(t));
  const keywords = why.keywords.map((k) => `“${k}”`);
  const t = topics.length ? `your topic${topics.length > 1 ? 's' : ''} ${listing(topics)}` : '';
  const k = keywords.length ? `your keyword${keywords.length > 1 ? 's' : ''} ${listing(keywords)}` : '';
  if (t && k) return `Matches ${t}, and mentions ${k}`;
  if (t) return `Matches ${t}`;
  if (k) return `Mentions ${k}`;
  return 'Top trending across every topic (you follow them all)';
}

export function paperLinks(
  p: Pick<DigestPaper, 'id' | 'githubRepo' | 'githubStars' | 'projectPage'> & Partial<Pick<DigestPaper, 'models' | 'datasets' | 'spaces'>>,
): CardLink[] {
  const links: CardLink[] = [
    { label: 'arXiv', url: arxivUrl('abs', p.id) },
    { label: 'PDF', url: arxivUrl('pdf', p.id) },
  ];
  const code = httpUrl(p.githubRepo);
  if (code) links.push({ label: p.githubStars ? `Code ★ ${compactCount(p.githubStars)}` : 'Code', url: code });
  const project = httpUrl(p.projectPage);
  if (project) links.push({ label: 'Project page', url: project });
  // The paper's Hub page lists them; that is where the count links.
  const repos = repoCounts(p);
  if (repos) links.push({ label: repos, url: paperUrl(p.id) });
  return links;
}

export function toCard(p: DigestPaper, rank: number): PaperCard {
  const card: Omit<PaperCard, 'fingerprint'> = {
    rank,
    id: p.id,
    title: p.title,
    url: paperUrl(p.id),
    byline: byline(p),
    upvotes: p.upvotes,
    comments: p.numComments,
    topics: p.topics.map((t) => topicLabel(t as Topic)),
    summary: cardSummary(p),
    links: paperLinks(p),
    why: whyLine(p.why),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(card)).digest('base64url');
  return { ...card, fingerprint };
}

// The bulk selection hands every subscriber of a preference mix the same
// paper objects, so a send run works out each card once, not once per email.
const memo = new WeakMap<DigestPaper, Map<number, PaperCard>>();

export function toCards(papers: readonly DigestPaper[]): PaperCard[] {
  return papers.map((p, i) => {
    let byRank = memo.get(p);
    if (!byRank) memo.set(p, (byRank = new Map()));
    let card = byRank.get(i + 1);
    if (!card) byRank.set(i + 1, (card = toCard(p, i + 1)));
    return card;
  });
}
