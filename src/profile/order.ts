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
import type { PaperFeatures } from './features.ts';
import type { Profile } from './profile.ts';
import { blockedBy, compileRules, followedOn, type CompiledRules } from './rules.ts';
import { affinityWhy, followWhy, trendingWhy, WHY_MIN } from './why.ts';

export const BETA = 8;
export const FOLLOW_LIMIT = 3;

export interface OrderInput {
  /** Papers matching the reader's topics and keywords, in today's order, already sent ones left out. */
  matching: PaperFeatures[];
  /** Every paper of the window (the same array for every reader of a run), already sent ones left out by the caller. */
  window: PaperFeatures[];
  size: number;
  now: Date;
  /** Today's why-line ("Matches your topics …"), kept for readers with no signals so their email is unchanged. Default: the trending line. */
  todayWhy?: (paper: PaperFeatures) => string;
}

export interface Ordered {
  paper: PaperFeatures;
  why: string;
}

export type OrderReader = (input: OrderInput & { subscriberId: string }) => Ordered[];

interface Scored {
  i: number;
  score: number;
  aff: number;
  followed: { kind: 'organisation' | 'author'; value: string } | null;
}

const byScore = (papers: PaperFeatures[]) => (a: Scored, b: Scored) => {
  const pa = papers[a.i]!;
  const pb = papers[b.i]!;
  return b.score - a.score || pb.trending - pa.trending || pb.upvotes - pa.upvotes || (pa.id < pb.id ? -1 : pa.id > pb.id ? 1 : 0);
};

/** A profile's signals and rules, worked out once per profile and moment (a send run asks for each reader once per batch). */
const prepared = new WeakMap<Profile, { at: number; rules: CompiledRules; signals: Signal[] }>();
function prepare(profile: Profile, now: Date) {
  const hit = prepared.get(profile);
  if (hit && hit.at === now.getTime()) return hit;
  const fresh = { at: now.getTime(), rules: compileRules(profile), signals: signalsOf(profile, now) };
  prepared.set(profile, fresh);
  return fresh;
}

export function orderForReader(profile: Profile, input: OrderInput): Ordered[] {
  const { rules, signals } = prepare(profile, input.now);
  const follows = rules.followedOrgs.size + rules.followedAuthors.size + rules.followedTopics.size;
  if (!signals.length && !follows) {
    return input.matching
      .filter((p) => !blockedBy(rules, p))
      .slice(0, input.size)
      .map((paper) => ({ paper, why: (input.todayWhy ?? trendingWhy)(paper) }));
  }
  // The papers ranked: the window, plus any matching paper it lacks.
  const inWindow = new Set(input.window.map((p) => p.id));
  const papers = [...input.window, ...input.matching.filter((p) => !inWindow.has(p.id))];
  // Rarity is read lazily by learned.part, after df is counted below.
  const df = new Map<string, number>();
  const learned = learn(signals, rules.followedTopics, papers.length, (k) => df.get(k) ?? 0);
  const { weights } = learned;
  for (const p of papers) for (const k of keysOf(p)) if (weights.has(k)) df.set(k, (df.get(k) ?? 0) + 1);
  // What each feature adds, for the features the window has (most learned ones it does not).
  const parts = new Map<string, number>();
  for (const k of df.keys()) parts.set(k, learned.part(k, weights.get(k)!));

  const matchingIds = new Set(input.matching.map((p) => p.id));
  const inPool = (p: PaperFeatures) => matchingIds.has(p.id) || p.topics.some((t) => rules.followedTopics.has(t));
  const scored: Scored[] = [];
  papers.forEach((p, i) => {
    const followed = followedOn(rules, p);
    if (!followed && !inPool(p)) return;
    if (blockedBy(rules, p)) return;
    let aff = 0;
    for (const k of keysOf(p)) aff += parts.get(k) ?? 0;
    scored.push({ i, score: Math.log(Math.max(p.trending, 1e-300)) + BETA * aff, aff, followed });
  });
  const order = byScore(papers);
  scored.sort(order);
  // Followed papers first, up to FOLLOW_LIMIT; those from outside the pool only that way.
  const chosen = scored.filter((s) => s.followed).slice(0, Math.min(FOLLOW_LIMIT, input.size));
  const taken = new Set(chosen);
  for (const s of scored) {
    if (chosen.length >= input.size) break;
    if (!taken.has(s) && inPool(papers[s.i]!)) chosen.push(s);
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

/** The hook for a send run: profiles loaded in batches by loadProfiles; a reader without one has none. */
export function createOrderReader(profiles: ReadonlyMap<string, Profile>): OrderReader {
  const none: Profile = { votes: [], clicks: [], rules: [] };
  return ({ subscriberId, ...input }) => orderForReader(profiles.get(subscriberId) ?? none, input);
}
