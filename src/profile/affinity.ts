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
const setCache = new WeakMap<string[], Set<string>>();
function keySets(keys: string[]): Set<string> {
  let set = setCache.get(keys);
  if (!set) setCache.set(keys, (set = new Set(keys)));
  return set;
}

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
  keys: string[];
  keySet: Set<string>;
  paper: PaperSnapshot;
}

export function signalsOf(profile: Profile, now: Date): Signal[] {
  const out: Signal[] = [];
  for (const v of profile.votes) {
    const keys = keysOf(v.paper);
    out.push({ source: v.vote === 'more' ? 'liked' : 'disliked', title: v.paper.title, weight: SIGNAL[v.vote] * decay(v.at, now), keys, keySet: keySets(keys), paper: v.paper });
  }
  for (const c of profile.clicks) {
    const weight = SIGNAL.click * Math.min(c.clicks, MAX_CLICKS) * decay(c.at, now);
    const keys = keysOf(c.paper);
    out.push({ source: 'clicked', title: c.paper.title, weight, keys, keySet: keySets(keys), paper: c.paper });
  }
  return out;
}

export interface Learned {
  weights: Map<string, number>;
  signals: Signal[];
  /** kind(f) · r(f) · W(f): what feature f adds to a paper that has it. */
  part: (key: string, weight: number) => number;
}

/** `df(f)`: how many of the `n` papers being ranked have feature f. */
export function learn(signals: Signal[], followedTopics: Iterable<string>, n: number, df: (key: string) => number): Learned {
  const weights = new Map<string, number>();
  for (const side of [true, false]) {
    const mine = signals.filter((s) => (s.source !== 'disliked') === side);
    const mass = mine.reduce((sum, s) => sum + s.weight, 0);
    if (!mass) continue;
    const scale = ((side ? 1 : -1) * (mass / (mass + CONFIDENCE_K))) / mass;
    for (const s of mine) for (const k of s.keys) weights.set(k, (weights.get(k) ?? 0) + s.weight * scale);
  }
  for (const t of followedTopics) weights.set(`t:${t}`, (weights.get(`t:${t}`) ?? 0) + FOLLOWED_TOPIC);
  const norm = Math.log(n + 1) || 1;
  const rarity = (key: string) => (n ? Math.log((n + 1) / (df(key) + 1)) / norm : 1);
  return { weights, signals, part: (key, weight) => KIND_WEIGHT[kindOf(key)] * rarity(key) * weight };
}

/** A(p) split by feature, so the why-line can name the largest. */
export function affinity(learned: Learned, keys: readonly string[]): { total: number; parts: Map<string, number> } {
  const parts = new Map<string, number>();
  let total = 0;
  for (const k of keys) {
    const w = learned.weights.get(k);
    if (!w) continue;
    const part = learned.part(k, w);
    parts.set(k, part);
    total += part;
  }
  return { total, parts };
}
