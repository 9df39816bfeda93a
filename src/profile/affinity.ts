/**
 * What a reader's votes and clicks say about a paper: a weight per feature,
 * learned from every paper they voted on or clicked, each signal fading with
 * its age. The formula (README "Personal ranking"):
 *
 *   signal weight  w = (1 per vote | 0.25 per click, at most 3) · 0.5^(age_days / 30)
 *   liked share    L(f) = Σ w of liked/clicked papers with f / Σ w of liked/clicked papers
 *   disliked share D(f) = the same over Less like this
 *   confidence     c(m) = m / (m + 2), m the Σ w it was taken over
 *   feature weight W(f) = c(m_liked) · L(f) − c(m_disliked) · D(f)  (+ 0.5 for a followed topic)
 *   rarity         r(f) = ln((N + 1) / (df(f) + 1)) / ln(N + 1)   over the N papers being ranked
 *   affinity       A(p) = Σ over p's features of kind(f) · r(f) · W(f)
 *   kind(f): ai_keyword 1, organisation 0.6, author 0.4, topic 0.3, term 0.25
 *
 * Shares, not sums: what every liked paper has (the reader's real interest)
 * weighs far more than what one liked paper happened to mention, and a
 * hundred votes do not make one feature a hundred times heavier. Confidence
 * keeps a single vote from weighing like a month of them. Rarity makes
 * features every paper has (a subscribed topic, the word "language") count
 * for little, so what moves a paper up is what it shares with liked papers
 * and not with the rest of the window.
 */
import type { PaperSnapshot } from '../db/schema.ts';
import { isTerm } from './features.ts';
import type { Profile } from './profile.ts';
import type { WindowIndex } from './window-index.ts';

export const HALF_LIFE_DAYS = 30;
const SIGNAL = { more: 1, less: 1, click: 0.25 } as const;
const CONFIDENCE_K = 2;
const FOLLOWED_TOPIC = 0.5;
const MAX_CLICKS = 3;
export const KIND_WEIGHT = { k: 1, o: 0.6, a: 0.4, t: 0.3, w: 0.25 } as const;
export type FeatureKind = keyof typeof KIND_WEIGHT;

const lower = (s: string) => s.trim().toLowerCase();

/** Feature keys: "k:quantization", "w:decoding", "t:llm", "o:nvidia", "a:tri dao". */
export interface FeatureSource {
  topics: readonly string[];
  aiKeywords: readonly string[];
  terms: readonly string[];
  organisation: string | null;
  authors: readonly string[];
}

export function featureKeys(p: FeatureSource): string[] {
  const keys = new Set<string>();
  for (const k of p.aiKeywords) keys.add(`k:${lower(k)}`);
  for (const w of p.terms) if (isTerm(w)) keys.add(`w:${w}`);
  for (const t of p.topics) keys.add(`t:${t}`);
  if (p.organisation) keys.add(`o:${lower(p.organisation)}`);
  for (const a of p.authors) keys.add(`a:${lower(a)}`);
  return [...keys];
}

export const kindOf = (key: string) => key[0] as FeatureKind;

// A send run passes the same paper objects for every reader: their keys are worked out once.
const keyCache = new WeakMap<FeatureSource, string[]>();

export function keysOf(p: FeatureSource): string[] {
  let keys = keyCache.get(p);
  if (!keys) keyCache.set(p, (keys = featureKeys(p)));
  return keys;
}

export function decay(at: Date, now: Date): number {
  const days = Math.max(0, (now.getTime() - at.getTime()) / 86_400_000);
  return 0.5 ** (days / HALF_LIFE_DAYS);
}

/** One learned signal: a voted or clicked paper with its decayed weight. */
export interface Signal {
  source: 'liked' | 'disliked' | 'clicked';
  title: string;
  weight: number;
  paper: PaperSnapshot;
}

export function signalsOf(profile: Profile, now: Date): Signal[] {
  const out: Signal[] = [];
  for (const v of profile.votes) {
    out.push({ source: v.vote === 'more' ? 'liked' : 'disliked', title: v.paper.title, weight: SIGNAL[v.vote] * decay(v.at, now), paper: v.paper });
  }
  for (const c of profile.clicks) {
    const weight = SIGNAL.click * Math.min(c.clicks, MAX_CLICKS) * decay(c.at, now);
    out.push({ source: 'clicked', title: c.paper.title, weight, paper: c.paper });
  }
  return out;
}

export interface Learned {
  /** W(f) per feature of the window (window-index.ts numbers them); 0 where nothing was learned. */
  weights: Float64Array;
  /** The features given a weight, in the order they were first given one: the first `count` of the window's scratch list. */
  learned: Int32Array;
  count: number;
  signals: Signal[];
}

/** Adds `x` to feature `f`'s weight, listing `f` the first time it gets one; returns the new count. A plain function, not a closure over `count`: it runs for every feature of every voted paper. */
function addWeight(scratch: WindowIndex['scratch'], count: number, f: number, x: number): number {
  if (!scratch.marked[f]) {
    scratch.marked[f] = 1;
    scratch.learned[count++] = f;
  }
  scratch.weights[f]! += x;
  return count;
}

/**
 * W(f) over the features of `index`'s window: the only ones that can move a
 * paper of it. Signals are summed in their order and each paper's keys in
 * theirs, so the same profile and window give the same floating-point sums.
 * The weights live in the window's scratch arrays: call `forget` when done
 * with them, before the next reader is learned.
 */
export function learn(index: WindowIndex, signals: Signal[], followedTopics: Iterable<string>): Learned {
  const { scratch } = index;
  let count = 0;
  // Liked and clicked papers first, then disliked ones, each in signal order.
  for (const side of [true, false]) {
    let mass = 0;
    for (const s of signals) if ((s.source !== 'disliked') === side) mass += s.weight;
    if (!mass) continue;
    const scale = ((side ? 1 : -1) * (mass / (mass + CONFIDENCE_K))) / mass;
    for (const s of signals) {
      if ((s.source !== 'disliked') !== side) continue;
      const x = s.weight * scale;
      const fids = index.fidsOf(s.paper);
      for (let j = 0; j < fids.length; j++) count = addWeight(scratch, count, fids[j]!, x);
    }
  }
  for (const t of followedTopics) {
    const f = index.fid.get(`t:${t}`);
    if (f !== undefined) count = addWeight(scratch, count, f, FOLLOWED_TOPIC);
  }
  return { weights: scratch.weights, learned: scratch.learned, count, signals };
}

/** Zeroes what `learn` set in the window's scratch arrays. */
export function forget(index: WindowIndex, learned: Learned): void {
  const { weights, marked } = index.scratch;
  for (let j = 0; j < learned.count; j++) {
    const f = learned.learned[j]!;
    weights[f] = 0;
    marked[f] = 0;
  }
}
