/**
 * The why-line of a personally ranked paper: the one thing that drove it in,
 * named. A follow first ("From NVIDIA, which you follow"), then the liked or
 * clicked paper it shares most with, with the two features that count most
 * ("Because you liked 'FlashDecoding++…' (speculative decoding,
 * quantization)"), else its trending ("Trending: 150 upvotes").
 */
import { isTopic, topicLabel } from '../papers/topics.ts';
import type { Signal } from './affinity.ts';
import type { PaperFeatures } from '../digest/features.ts';

/** Affinity (after BETA) below this did not move the paper enough to be named. */
export const WHY_MIN = 0.5;

export function shortTitle(title: string): string {
  const colon = title.indexOf(':');
  if (colon > 0 && colon <= 60) return `${title.slice(0, colon)}…`;
  if (title.length <= 48) return title;
  const cut = title.slice(0, 48);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : 48)}…`;
}

export const trendingWhy = (p: PaperFeatures) => `Trending: ${p.upvotes} upvote${p.upvotes === 1 ? '' : 's'}`;

export function followWhy(f: { kind: 'organisation' | 'author'; value: string }): string {
  return f.kind === 'organisation' ? `From ${f.value}, which you follow` : `By ${f.value}, whom you follow`;
}

/** How a feature key reads in a why-line, in the paper's own spelling where it has one. */
function featureName(key: string, p: PaperFeatures): string {
  const value = key.slice(2);
  if (key.startsWith('k:')) return p.aiKeywords.find((k) => k.trim().toLowerCase() === value) ?? value;
  if (key.startsWith('t:')) return isTopic(value) ? topicLabel(value) : value;
  if (key.startsWith('o:')) return p.organisation ?? value;
  if (key.startsWith('a:')) return p.authors.find((a) => a.trim().toLowerCase() === value) ?? value;
  return value;
}

const VERB = { liked: 'liked', clicked: 'opened', disliked: 'disliked' } as const;

export function affinityWhy(p: PaperFeatures, parts: Map<string, number>, signals: readonly Signal[], followedTopics: ReadonlySet<string>): string | null {
  let best: { signal: Signal; overlap: number; shared: string[] } | null = null;
  for (const s of signals) {
    if (s.source === 'disliked') continue;
    // In the paper's own order, so equal parts are named as the paper lists them.
    const shared = [...parts.keys()].filter((k) => parts.get(k)! > 0 && s.keySet.has(k));
    const overlap = shared.reduce((sum, k) => sum + parts.get(k)!, 0) * s.weight;
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { signal: s, overlap, shared };
  }
  const topTopic = [...parts].filter(([k, v]) => k.startsWith('t:') && v > 0 && followedTopics.has(k.slice(2))).sort((a, b) => b[1] - a[1])[0];
  if (topTopic && (!best || topTopic[1] >= best.overlap)) return `In ${featureName(topTopic[0], p)}, which you follow`;
  if (!best) return null;
  const named = best.shared
    .sort((a, b) => parts.get(b)! - parts.get(a)!)
    .slice(0, 2)
    .map((k) => featureName(k, p));
  return `Because you ${VERB[best.signal.source]} '${shortTitle(best.signal.title)}' (${named.join(', ')})`;
}
