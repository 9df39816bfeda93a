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
import { affinity, keysOf, learn, signalsOf, type Signal } from './affinity.ts';
import type { PaperFeatures } from '../digest/features.ts';
import type { Profile } from './profile.ts';
import { blockedBy, compileRules, followedOn, type CompiledRules } from './rules.ts';
import { windowIndex } from './window-index.ts';
import { affinityWhy, followWhy, trendingWhy, WHY_MIN } from './why.ts';

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

interface Scored {
  i: number;
  score: number;
  aff: number;
  followed: { kind: 'organisation' | 'author'; value: string } | null;
}

const byScore = (papers: readonly PaperFeatures[]) => (a: Scored, b: Scored) => {
  const pa = papers[a.i]!;
  const pb = papers[b.i]!;
  return b.score - a.score || pb.trending - pa.trending || pb.upvotes - pa.upvotes || (pa.id < pb.id ? -1 : pa.id > pb.id ? 1 : 0);
};

/** A profile's signals and rules, worked out once per profile and moment. */
const prepared = new WeakMap<Profile, { at: number; rules: CompiledRules; signals: Signal[] }>();
function prepare(profile: Profile, now: Date) {
  const hit = prepared.get(profile);
  if (hit && hit.at === now.getTime()) return hit;
  const fresh = { at: now.getTime(), rules: compileRules(profile), signals: signalsOf(profile, now) };
  prepared.set(profile, fresh);
  return fresh;
}

export function orderForReader<P extends PaperFeatures>(profile: Profile, input: OrderInput<P>): Ordered<P>[] {
  const { rules, signals } = prepare(profile, input.now);
  const sent = input.sent ?? new Set<string>();
  const follows = rules.followedOrgs.size + rules.followedAuthors.size + rules.followedTopics.size;
  if (!signals.length && !follows) {
    return input.matching
      .filter((p) => !sent.has(p.id) && !blockedBy(rules, p))
      .slice(0, input.size)
      .map((paper) => ({ paper, why: (input.todayWhy ?? trendingWhy)(paper) }));
  }
  const { papers, position, postings } = windowIndex(input.window, input.matching);
  // Rarity is read lazily by learned.part, from the window's postings.
  const learned = learn(signals, rules.followedTopics, papers.length, (k) => postings.get(k)?.length ?? 0);

  // Affinity through the inverted index: one pass per learned feature the window has.
  const aff = new Float64Array(papers.length);
  for (const [key, weight] of learned.weights) {
    const list = postings.get(key);
    if (!list) continue;
    const part = learned.part(key, weight);
    for (const i of list) aff[i]! += part;
  }

  const pool = new Set<number>();
  for (const p of input.matching) pool.add(position.get(p.id)!);
  for (const t of rules.followedTopics) for (const i of postings.get(`t:${t}`) ?? []) pool.add(i);
  // Followed papers from outside the pool come in only as the FOLLOW_LIMIT best.
  const followedIn = new Set<number>();
  for (const k of rules.followedOrgs.keys()) for (const i of postings.get(`o:${k}`) ?? []) followedIn.add(i);
  for (const k of rules.followedAuthors.keys()) for (const i of postings.get(`a:${k}`) ?? []) followedIn.add(i);

  const scored: Scored[] = [];
  for (const i of new Set([...pool, ...followedIn])) {
    const p = papers[i]!;
    if (sent.has(p.id) || blockedBy(rules, p)) continue;
    scored.push({ i, score: Math.log(Math.max(p.trending, 1e-300)) + BETA * aff[i]!, aff: aff[i]!, followed: followedOn(rules, p) });
  }
  const order = byScore(papers);
  scored.sort(order);
  const chosen = scored.filter((s) => s.followed).slice(0, Math.min(FOLLOW_LIMIT, input.size));
  const taken = new Set(chosen);
  for (const s of scored) {
    if (chosen.length >= input.size) break;
    if (!taken.has(s) && pool.has(s.i)) chosen.push(s);
  }
  return chosen.sort(order).map((s) => {
    const paper = papers[s.i]!;
    if (s.followed) return { paper, why: followWhy(s.followed) };
    if (BETA * s.aff >= WHY_MIN) {
      const why = affinityWhy(paper, affinity(learned, keysOf(paper)).parts, signals, rules.followedTopics);
      if (why) return { paper, why };
    }
    return { paper, why: trendingWhy(paper) };
  });
}

/** The hook for a send run: profiles loaded per batch by loadProfiles; a reader without one has none. */
export function createOrderReader(profiles: ReadonlyMap<string, Profile>): OrderReader {
  const none: Profile = { votes: [], clicks: [], rules: [] };
  return ({ subscriberId, ...input }) => orderForReader(profiles.get(subscriberId) ?? none, input);
}
