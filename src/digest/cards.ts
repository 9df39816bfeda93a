/**
 * What a card shows, worked out once from a chosen paper and shared by the
 * HTML, the plain text, the web view and the feeds. Plain strings here; each
 * output escapes them its own way.
 */
import { createHash } from 'node:crypto';
import { countsLine, demoPaperUrl, isDemoPaper } from '../papers/demo.ts';
import { topicLabel, type Topic } from '../papers/topics.ts';
import { followTarget } from '../profile/links.ts';
import type { FeedbackCard } from './personalise.ts';
import { httpUrl } from './escape.ts';
import type { DigestPaper, Why } from './select.ts';
import { cardSummary } from './summary.ts';

export interface CardLink {
  label: string;
  url: string;
}

/** What a card shows that depends on the paper only: compiled once per run (render.ts). */
export interface StaticCard {
  id: string;
  title: string;
  url: string;
  /** "Dec 8, 2025 · ByteDance Seed" or "Dec 8, 2025 · 9 authors"; null when nothing is known. */
  byline: string | null;
  upvotes: number;
  comments: number;
  /** "▲ 12 upvotes · 3 comments", zero counts left out; empty when both are zero. */
  counts: string;
  /** A demo paper (seeds/papers.json): its links search arXiv by title. */
  demo: boolean;
  topics: string[];
  summary: string;
  links: CardLink[];
  /** What the card's feedback links name; `follow` labels its Follow link, null when there is nothing to follow. */
  feedback: FeedbackCard;
  /** Everything above, hashed: equal cards render equally. */
  fingerprint: string;
}

/**
 * Digest papers are per-subscriber copies of one window row (select.ts); the
 * card is worked out once per row, so copies are mapped to their row here.
 */
const sources = new WeakMap<object, object>();

export function sameCardAs(copy: DigestPaper, source: object): DigestPaper {
  sources.set(copy, source);
  return copy;
}

export const paperUrl = (id: string) => `https://huggingface.co/papers/${encodeURIComponent(id).replaceAll('%2F', '/')}`;
/** Where a card's title links: the paper on Hugging Face, or for a demo paper (whose id is another paper's) an arXiv title search. */
export const cardUrl = (p: { id: string; title: string }) => (isDemoPaper(p) ? demoPaperUrl(p.title) : paperUrl(p.id));
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

function feedbackPaper(p: DigestPaper): StaticCard['feedback'] {
  const paper = { id: p.id, organisation: p.organizationFullname?.trim() || p.organizationName?.trim() || null, authors: p.authors };
  const target = followTarget(paper);
  return { ...paper, follow: target ? `Follow ${target.value}` : null };
}

export function staticCard(p: DigestPaper): StaticCard {
  // A demo paper's id belongs to some other real paper: link to a title search instead.
  const demo = isDemoPaper(p);
  const card: Omit<StaticCard, 'fingerprint'> = {
    id: p.id,
    title: p.title,
    url: cardUrl(p),
    byline: byline(p),
    upvotes: p.upvotes,
    comments: p.numComments,
    // A demo paper's comment count is made up (seeds/README.md); its upvotes were captured.
    counts: countsLine(p.upvotes, demo ? 0 : p.numComments),
    demo,
    topics: p.topics.map((t) => topicLabel(t as Topic)),
    summary: cardSummary(p),
    links: demo ? [{ label: 'arXiv search', url: demoPaperUrl(p.title) }, ...paperLinks(p).slice(2)] : paperLinks(p),
    feedback: feedbackPaper(p),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(card)).digest('base64url');
  return { ...card, fingerprint };
}

const memo = new WeakMap<object, StaticCard>();

/** The static card of each paper, worked out once per window row. */
export function staticCards(papers: readonly DigestPaper[]): StaticCard[] {
  return papers.map((p) => {
    const source = sources.get(p) ?? p;
    let card = memo.get(source);
    if (!card) memo.set(source, (card = staticCard(p)));
    return card;
  });
}
