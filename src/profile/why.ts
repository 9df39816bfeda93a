/**
 * The why-line of a personally ranked paper: the one thing that drove it in,
 * named. A follow first ("From NVIDIA, which you follow"), then the liked or
 * clicked paper it shares most with, with the two features that count most
 * ("Because you liked 'FlashDecoding++…' (speculative decoding,
 * quantization)"), else its trending ("Trending: 150 upvotes").
 */
import { isTopic, topicLabel } from '../papers/topics.ts';
import type { PaperSnapshot } from '../db/schema.ts';
import type { Learned, Signal } from './affinity.ts';
import type { WindowIndex } from './window-index.ts';
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

// A send run passes the same paper objects to every reader: each trending line is spelled once (and again if the count changes).
const trendingLines = new WeakMap<PaperFeatures, { upvotes: number; line: string }>();

export function trendingWhy(p: PaperFeatures): string {
  let known = trendingLines.get(p);
  if (known?.upvotes !== p.upvotes) trendingLines.set(p, (known = { upvotes: p.upvotes, line: `Trending: ${p.upvotes} upvote${p.upvotes === 1 ? '' : 's'}` }));
  return known.line;
}

export function followWhy(f: { kind: 'organisation' | 'author'; value: string }): string {
  return f.kind === 'organisation' ? `From ${f.value}, which you follow` : `By ${f.value}, whom you follow`;
}

/** How a feature key reads in a why-line, in the paper's own spelling where it has one. */
function spelling(key: string, p: PaperFeatures): string {
  const value = key.slice(2);
  if (key.startsWith('k:')) return p.aiKeywords.find((k) => k.trim().toLowerCase() === value) ?? value;
  if (key.startsWith('t:')) return isTopic(value) ? topicLabel(value) : value;
  if (key.startsWith('o:')) return p.organisation ?? value;
  if (key.startsWith('a:')) return p.authors.find((a) => a.trim().toLowerCase() === value) ?? value;
  return value;
}

/** Per window, each paper's feature names as spelled (paper · features + feature), worked out when first named. */
const names = new WeakMap<WindowIndex, Map<number, string>>();

function featureName(index: WindowIndex, i: number, f: number): string {
  let known = names.get(index);
  if (!known) names.set(index, (known = new Map()));
  const at = i * index.keyOf.length + f;
  let name = known.get(at);
  if (name === undefined) known.set(at, (name = spelling(index.keyOf[f]!, index.papers[i]!)));
  return name;
}

const VERB = { liked: 'liked', clicked: 'opened', disliked: 'disliked' } as const;
const VERBS = Object.keys(VERB) as (keyof typeof VERB)[];

/**
 * Per window, the why-lines spelled so far: by the liked paper, then by a
 * number made of the paper, the verb and the two features named (or the
 * followed topic). Thousands of readers print the same few thousand lines; one
 * spelled once is the same string object every time, so the renderer's
 * lookup of its encoding (digest/render.ts) finds it without hashing a new
 * string of sixty characters ten times an email.
 */
interface SpelledLines {
  byLiked: Map<PaperSnapshot, Map<number, string>>;
  followed: Map<number, string>;
  size: number;
}
/** Lines kept per window before they start again (a line is about a hundred bytes). */
const LINES_KEPT = 50_000;
const spelled = new WeakMap<WindowIndex, SpelledLines>();

function linesOf(index: WindowIndex): SpelledLines {
  let lines = spelled.get(index);
  if (!lines || lines.size >= LINES_KEPT) spelled.set(index, (lines = { byLiked: new Map(), followed: new Map(), size: 0 }));
  return lines;
}

function followedTopicLine(index: WindowIndex, i: number, f: number): string {
  const lines = linesOf(index);
  const key = i * index.keyOf.length + f;
  let line = lines.followed.get(key);
  if (line === undefined) {
    lines.followed.set(key, (line = `In ${featureName(index, i, f)}, which you follow`));
    lines.size++;
  }
  return line;
}

/** `first` and `second`: feature numbers, or -1 for none. */
function likedLine(index: WindowIndex, i: number, signal: Signal, first: number, second: number): string {
  const lines = linesOf(index);
  let forPaper = lines.byLiked.get(signal.paper);
  if (!forPaper) lines.byLiked.set(signal.paper, (forPaper = new Map()));
  // Below 2^53 for any window this side of a million papers and features.
  const F = index.keyOf.length + 1;
  const key = ((i * F + first + 1) * F + second + 1) * VERBS.length + VERBS.indexOf(signal.source);
  let line = forPaper.get(key);
  if (line === undefined) {
    const named = [first, second].filter((f) => f >= 0).map((f) => featureName(index, i, f));
    forPaper.set(key, (line = `Because you ${VERB[signal.source]} '${shortTitle(signal.title)}' (${named.join(', ')})`));
    lines.size++;
  }
  return line;
}

/**
 * The why-line of window paper `i`, from its affinity parts (kind(f) · r(f) ·
 * W(f) per feature): the liked or clicked paper whose shared features weigh
 * most, or a followed topic that weighs more. Sums run in the paper's own
 * feature order, so equal parts are named as the paper lists them and the
 * same profile always names the same thing.
 */
export interface LikedSignal {
  signal: Signal;
  /** Which of the window's features the liked or clicked paper has. */
  member: Uint8Array;
}

/** A reader's liked and clicked papers as why-lines compare them: the first BITS also as bits per feature (the window's scratch). */
export interface LikedSignals {
  list: LikedSignal[];
  /** Overlap sums per liked paper, for one paper at a time. */
  sums: Float64Array;
}

/** Liked papers past this many are compared by their masks, one by one. */
const BITS = 31;

/** Worked out once per reader; `forgetLiked` clears the bits it set. */
export function likedSignals(index: WindowIndex, signals: readonly Signal[]): LikedSignals {
  const list = signals.filter((s) => s.source !== 'disliked').map((signal) => ({ signal, member: index.memberOf(signal.paper) }));
  const { likedBits } = index.scratch;
  for (let k = 0; k < Math.min(list.length, BITS); k++) {
    const fids = index.fidsOf(list[k]!.signal.paper);
    for (let j = 0; j < fids.length; j++) likedBits[fids[j]!]! |= 1 << k;
  }
  return { list, sums: new Float64Array(list.length) };
}

export function forgetLiked(index: WindowIndex, liked: LikedSignals): void {
  const { likedBits } = index.scratch;
  for (let k = 0; k < Math.min(liked.list.length, BITS); k++) {
    const fids = index.fidsOf(liked.list[k]!.signal.paper);
    for (let j = 0; j < fids.length; j++) likedBits[fids[j]!] = 0;
  }
}

export function affinityWhy(index: WindowIndex, i: number, learned: Learned, liked: LikedSignals, followedTopics: ReadonlySet<string>): string | null {
  // The paper's features with a positive part, and the parts: the first `n` of the window's scratch arrays.
  const { paperFids: fids, paperParts: parts } = index.scratch;
  let n = 0;
  let topTopic: { f: number; part: number } | null = null;
  const { sums, list } = liked;
  sums.fill(0);
  const bits = index.scratch.likedBits;
  const own = index.paperFids[i]!;
  for (let j = 0; j < own.length; j++) {
    const f = own[j]!;
    const w = learned.weights[f]!;
    if (!w) continue;
    const part = index.weightOf[f]! * w;
    if (!(part > 0)) continue;
    fids[n] = f;
    parts[n++] = part;
    // Each liked paper with this feature gets its part, in the paper's feature order
    // (m & -m is the lowest set bit; 31 - clz32 its index, the liked paper's).
    for (let m = bits[f]!; m; m &= m - 1) sums[31 - Math.clz32(m & -m)]! += part;
    if (followedTopics.size && (!topTopic || part > topTopic.part)) {
      const key = index.keyOf[f]!;
      if (key.startsWith('t:') && followedTopics.has(key.slice(2))) topTopic = { f, part };
    }
  }
  for (let k = BITS; k < list.length; k++) {
    const { member } = list[k]!;
    let sum = 0;
    for (let j = 0; j < n; j++) if (member[fids[j]!]) sum += parts[j]!;
    sums[k] = sum;
  }
  let best: { signal: Signal; member: Uint8Array; overlap: number } | null = null;
  for (let k = 0; k < list.length; k++) {
    const { signal, member } = list[k]!;
    const overlap = sums[k]! * signal.weight;
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { signal, member, overlap };
  }
  if (topTopic && (!best || topTopic.part >= best.overlap)) return followedTopicLine(index, i, topTopic.f);
  if (!best) return null;
  // The two largest shared parts; of equal ones, the paper's first.
  const { member } = best;
  let first = -1;
  let second = -1;
  for (let j = 0; j < n; j++) {
    if (!member[fids[j]!]) continue;
    if (first < 0 || parts[j]! > parts[first]!) [first, second] = [j, first];
    else if (second < 0 || parts[j]! > parts[second]!) second = j;
  }
  return likedLine(index, i, best.signal, first >= 0 ? fids[first]! : -1, second >= 0 ? fids[second]! : -1);
}
