/**
 * What a card shows, worked out once from a chosen paper and shared by the
 * HTML, the plain text, the web view and the feeds. Plain strings here; each
 * output escapes them its own way.
 */
import { createHash } from 'node:crypto';
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
  /** "ByteDance Seed · Ada Lovelace, Alan Turing and 12 others"; null when nothing is known. */
  byline: string | null;
  upvotes: number;
  comments: number;
  topics: string[];
  summary: string;
  links: CardLink[];
  /** What the card's feedback links name; `follow` labels its Follow link, null when there is nothing to follow. */
  feedback: FeedbackCard;
  /** Everything above, hashed: equal cards render equally. */
  fingerprint: string;
}

/** A card in a digest: its place, and the why-line (the email shows it, the web view does not). */
export interface PaperCard extends StaticCard {
  rank: number;
  /** "Matches your topics Language models and Reasoning". */
  why: string;
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

const SHOWN_AUTHORS = 3;

export const paperUrl = (id: string) => `https://huggingface.co/papers/${encodeURIComponent(id).replaceAll('%2F', '/')}`;
const arxivUrl = (kind: 'abs' | 'pdf', id: string) => `https://arxiv.org/${kind}/${encodeURIComponent(id).replaceAll('%2F', '/')}`;

export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  const k = n / 1000;
  return k < 100 ? `${k.toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(k)}k`;
}

export function byline(p: Pick<DigestPaper, 'authors' | 'organizationName' | 'organizationFullname'>): string | null {
  const org = p.organizationFullname?.trim() || p.organizationName?.trim() || '';
  const shown = p.authors.slice(0, SHOWN_AUTHORS).join(', ');
  const rest = p.authors.length - SHOWN_AUTHORS;
  const people = rest > 0 ? `${shown} and ${rest} other${rest === 1 ? '' : 's'}` : shown;
  return [org, people].filter(Boolean).join(' · ') || null;
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

export function paperLinks(p: Pick<DigestPaper, 'id' | 'githubRepo' | 'githubStars' | 'projectPage'>): CardLink[] {
  const links: CardLink[] = [
    { label: 'arXiv', url: arxivUrl('abs', p.id) },
    { label: 'PDF', url: arxivUrl('pdf', p.id) },
  ];
  const code = httpUrl(p.githubRepo);
  if (code) links.push({ label: p.githubStars ? `Code ★ ${compactCount(p.githubStars)}` : 'Code', url: code });
  const project = httpUrl(p.projectPage);
  if (project) links.push({ label: 'Project page', url: project });
  return links;
}

function feedbackPaper(p: DigestPaper): StaticCard['feedback'] {
  const paper = { id: p.id, organisation: p.organizationFullname?.trim() || p.organizationName?.trim() || null, authors: p.authors };
  const target = followTarget(paper);
  return { ...paper, follow: target ? `Follow ${target.value}` : null };
}

export function staticCard(p: DigestPaper): StaticCard {
  const card: Omit<StaticCard, 'fingerprint'> = {
    id: p.id,
    title: p.title,
    url: paperUrl(p.id),
    byline: byline(p),
    upvotes: p.upvotes,
    comments: p.numComments,
    topics: p.topics.map((t) => topicLabel(t as Topic)),
    summary: cardSummary(p),
    links: paperLinks(p),
    feedback: feedbackPaper(p),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(card)).digest('base64url');
  return { ...card, fingerprint };
}

const memo = new WeakMap<object, StaticCard>();

export function toCards(papers: readonly DigestPaper[]): PaperCard[] {
  return papers.map((p, i) => {
    const source = sources.get(p) ?? p;
    let card = memo.get(source);
    if (!card) memo.set(source, (card = staticCard(p)));
    return { ...card, rank: i + 1, why: p.reason };
  });
}
