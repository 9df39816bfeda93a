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
import { affinity, learn, signalsOf } from './affinity.ts';
import type { PaperFeatures } from './features.ts';
import type { Profile } from './profile.ts';
import { blockedBy, compileRules, followedOn } from './rules.ts';
import { windowIndex } from './window-index.ts';
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
  followed: { kind: 'organisation' | 'author'; value: string } | null;
}

const byScore = (papers: PaperFeatures[]) => (a: Scored, b: Scored) => {
  const pa = papers[a.i]!;
  const pb = papers[b.i]!;
  return b.score - a.score || pb.trending - pa.trending || pb.upvotes - pa.upvotes || (pa.id < pb.id ? -1 : pa.id > pb.id ? 1 : 0);
};

export function orderForReader(profile: Profile, input: OrderInput): Ordered[] {
  const rules = compileRules(profile);
  const signals = signalsOf(profile, input.now);
  const follows = rules.followedOrgs.size + rules.followedAuthors.size + rules.followedTopics.size;
  if (!signals.length && !follows) {
    return input.matching
      .filter((p) => !blockedBy(rules, p))
      .slice(0, input.size)
      .map((paper) => ({ paper, why: (input.todayWhy ?? trendingWhy)(paper) }));
  }
  const index = windowIndex(input.window, input.matching);
  const { papers, postings } = index;
  const learned = learn(signals, rules.followedTopics, papers.length, (k) => postings.get(k)?.length ?? 0);

  // Affinity through the inverted index: one pass per learned feature.
  const aff = new Float64Array(papers.length);
  for (const [key, weight] of learned.weights) {
    const list = postings.get(key);
    if (!list) continue;
    const part = learned.part(key, weight);
    for (const i of list) aff[i]! += part;
  }

  const pool = new Set<number>(input.matching.map((p) => index.position.get(p.id)!));
  for (const t of rules.followedTopics) for (const i of postings.get(`t:${t}`) ?? []) pool.add(i);
  // Followed papers from outside the pool: only the FOLLOW_LIMIT best of them come in.
  const followedKeys = [...[...rules.followedOrgs.keys()].map((k) => `o:${k}`), ...[...rules.followedAuthors.keys()].map((k) => `a:${k}`)];
  const followedIn = new Set<number>();
  for (const k of followedKeys) for (const i of postings.get(k) ?? []) followedIn.add(i);

  const scored: Scored[] = [];
  for (const i of new Set([...pool, ...followedIn])) {
    const p = papers[i]!;
    if (blockedBy(rules, p)) continue;
    scored.push({ i, score: Math.log(Math.max(p.trending, 1e-300)) + BETA * aff[i]!, followed: followedOn(rules, p) });
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
    if (BETA * aff[s.i]! >= WHY_MIN) {
      const { parts } = affinity(learned, index.keys[s.i]!);
      const why = affinityWhy(paper, parts, signals, rules.followedTopics);
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
