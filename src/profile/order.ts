/**
 * The per-reader ordering the digest calls: today's trending order, tuned by
 * what the reader taught it.
 *
 *   score(p) = ln(trending(p)) + BETA · A(p)        (A: affinity.ts)
 *
 * - Candidates: the papers matching the reader's topics and keywords, plus
 *   window papers in a topic they follow.
 * - Papers from a followed organisation or author come in from the whole
 *   window, up to FOLLOW_LIMIT per email, ahead of the rest.
 * - Muted organisations, authors, topics and negative keywords: never.
 * - No votes, clicks or follows: `matching` as given (today's order and
 *   why-lines), minus anything muted. Ties: trending, upvotes, id, as
 *   src/papers/rank.ts.
 *
 * Pure and deterministic: the same profile and papers give the same digest.
 */
import { forget, learn, signalsOf, type Learned } from './affinity.ts';
import type { PaperFeatures } from '../digest/features.ts';
import type { Profile } from './profile.ts';
import { blockedBy, compileRules, followedOn, type CompiledRules } from './rules.ts';
import { windowIndex, type WindowIndex } from './window-index.ts';
import { affinityWhy, followWhy, forgetLiked, likedSignals, trendingWhy, WHY_MIN, type LikedSignals } from './why.ts';

export const BETA = 8;
export const FOLLOW_LIMIT = 3;

export interface OrderInput<P extends PaperFeatures = PaperFeatures> {
  /** Papers matching the reader's topics and keywords, in today's order, already sent ones left out. */
  matching: readonly P[];
  /** Every paper of the window: the same array for every reader of a run (per-window work is cached on it). */
  window: readonly P[];
  /** Papers already sent to this reader (the no-repeat ledger): never returned. */
  sent?: ReadonlySet<string>;
  size: number;
  now: Date;
  /** Today's why-line ("Matches your topics …"), kept for readers with no signals so their email is unchanged. Default: the trending line. */
  todayWhy?: (paper: P) => string;
}

export interface Ordered<P extends PaperFeatures = PaperFeatures> {
  paper: P;
  why: string;
}

export type OrderReader = <P extends PaperFeatures>(input: OrderInput<P> & { subscriberId: string }) => Ordered<P>[];

type Follow = { kind: 'organisation' | 'author'; value: string };

/** Window papers `a` and `b` by score (in `score`), then trending, upvotes and id: the order is total. */
const byScore = (papers: readonly PaperFeatures[], score: Float64Array) => (a: number, b: number) => {
  const pa = papers[a]!;
  const pb = papers[b]!;
  return score[b]! - score[a]! || pb.trending - pa.trending || pb.upvotes - pa.upvotes || (pa.id < pb.id ? -1 : pa.id > pb.id ? 1 : 0);
};

/** The first `k` of `items` in `order`, as `items.sort(order).slice(0, k)` (order is total: ids break ties), without sorting them all. */
function firstK<T>(items: readonly T[], k: number, order: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  if (k <= 0) return out;
  for (const x of items) {
    if (out.length === k && order(x, out[k - 1]!) >= 0) continue;
    let j = Math.min(out.length, k - 1);
    for (; j > 0 && order(x, out[j - 1]!) < 0; j--) out[j] = out[j - 1]!;
    out[j] = x;
  }
  return out;
}

export function orderForReader<P extends PaperFeatures>(profile: Profile, input: OrderInput<P>): Ordered<P>[] {
  const rules = compileRules(profile);
  const signals = signalsOf(profile, input.now);
  const sent = input.sent ?? new Set<string>();
  const follows = rules.followedOrgs.size + rules.followedAuthors.size + rules.followedTopics.size;
  if (!signals.length && !follows) {
    return input.matching
      .filter((p) => !sent.has(p.id) && !(rules.any && blockedBy(rules, p)))
      .slice(0, input.size)
      .map((paper) => ({ paper, why: (input.todayWhy ?? trendingWhy)(paper) }));
  }
  const index = windowIndex(input.window, input.matching);
  const learned = learn(index, signals, rules.followedTopics);
  const { aff, inPool } = index.scratch;
  try {
    return rank(index, learned, rules, input);
  } finally {
    forget(index, learned);
    aff.fill(0);
    inPool.fill(0);
  }
}

/** The order itself, once the reader's weights are learned over the window. */
function rank<P extends PaperFeatures>(index: WindowIndex<P>, learned: Learned, rules: CompiledRules, input: OrderInput<P>): Ordered<P>[] {
  const { papers, position } = index;
  const { aff, inPool } = index.scratch;
  const sent = input.sent ?? new Set<string>();
  // Affinity through the inverted index: one pass per learned feature the window has.
  const { postings, postingStart, weightOf } = index;
  for (let k = 0; k < learned.count; k++) {
    const f = learned.learned[k]!;
    const part = weightOf[f]! * learned.weights[f]!;
    for (let j = postingStart[f]!, end = postingStart[f + 1]!; j < end; j++) aff[postings[j]!]! += part;
  }

  // The pool: papers matching the reader's topics and keywords, and those of topics they follow.
  const pool: number[] = [];
  const add = (i: number) => {
    if (!inPool[i]) {
      inPool[i] = 1;
      pool.push(i);
    }
  };
  for (const p of input.matching) add(position.get(p.id)!);
  for (const t of rules.followedTopics) for (const i of index.papersWith(`t:${t}`)) add(i);
  // Followed organisations' and authors' papers come in from the whole window, but only as the FOLLOW_LIMIT best.
  // Loops, not spreads of the rules' key iterators: spreading empty ones deoptimised this function over and over (315 times in 20,000 readers, V8 11 --trace-deopt: "wrong map").
  const outside: number[] = [];
  const bringIn = (key: string) => {
    for (const i of index.papersWith(key)) if (!inPool[i] && !outside.includes(i)) outside.push(i);
  };
  for (const k of rules.followedOrgs.keys()) bringIn(`o:${k}`);
  for (const k of rules.followedAuthors.keys()) bringIn(`a:${k}`);

  // Most readers mute and follow no organisation or author: then no paper needs testing against rules.
  // Candidates are window positions, their scores in the window's scratch (no object per candidate: a reader has a hundred).
  const testRules = rules.any;
  const { score } = index.scratch;
  const follows = testRules ? new Map<number, Follow>() : undefined;
  const followed: number[] = [];
  const fromPool: number[] = [];
  for (const i of outside.length ? [...pool, ...outside] : pool) {
    const p = papers[i]!;
    if (sent.has(p.id) || (testRules && blockedBy(rules, p))) continue;
    score[i] = index.lnTrending[i]! + BETA * aff[i]!;
    const follow = testRules ? followedOn(rules, p) : null;
    if (follow) {
      follows!.set(i, follow);
      followed.push(i);
    }
    if (inPool[i]) fromPool.push(i);
  }
  const order = byScore(papers, score);
  // The best followed papers first, then the best of the pool not chosen already.
  const chosen = firstK(followed, Math.min(FOLLOW_LIMIT, input.size), order);
  const taken = new Set(chosen);
  for (const i of firstK(fromPool, input.size + chosen.length, order)) {
    if (chosen.length >= input.size) break;
    if (!taken.has(i)) chosen.push(i);
  }
  let liked: LikedSignals | undefined;
  try {
    return chosen.sort(order).map((i) => {
      const paper = papers[i]!;
      const follow = follows?.get(i);
      if (follow) return { paper, why: followWhy(follow) };
      if (BETA * aff[i]! >= WHY_MIN) {
        const why = affinityWhy(index, i, learned, (liked ??= likedSignals(index, learned.signals)), rules.followedTopics);
        if (why) return { paper, why };
      }
      return { paper, why: trendingWhy(paper) };
    });
  } finally {
    if (liked) forgetLiked(index, liked);
  }
}

/** The hook for a send run: profiles loaded per batch by loadProfiles; a reader without one has none. */
export function createOrderReader(profiles: ReadonlyMap<string, Profile>): OrderReader {
  const none: Profile = { votes: [], clicks: [], rules: [] };
  return ({ subscriberId, ...input }) => orderForReader(profiles.get(subscriberId) ?? none, input);
}
