/**
 * A reader's learned profile as ranking uses it, loaded for many readers in
 * three queries (one per table) by `loadProfiles`, with the features of the
 * papers they voted on or clicked read from `papers` through a
 * `SignalPapers` cache: one send run reads each such paper once, and every
 * reader who voted on it shares the same object (so its feature keys are
 * worked out once, affinity.ts).
 */
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { papers, profileClicks, profileRules, profileVotes, type PaperSnapshot, type RuleKind, type RuleStance, type VoteKind } from '../db/schema.ts';
import { paperFeatures, snapshotOf } from './features.ts';

export interface Vote {
  paperId: string;
  vote: VoteKind;
  paper: PaperSnapshot;
  at: Date;
}

export interface Click {
  paperId: string;
  clicks: number;
  paper: PaperSnapshot;
  at: Date;
}

export interface Rule {
  kind: RuleKind;
  /** Lower-cased value: what matching compares. */
  key: string;
  value: string;
  stance: RuleStance;
  at: Date;
}

export interface Profile {
  votes: Vote[];
  clicks: Click[];
  rules: Rule[];
}

export const emptyProfile = (): Profile => ({ votes: [], clicks: [], rules: [] });

/** The key a rule is stored and matched under: trimmed, spaces collapsed, lower-cased. */
export const ruleKey = (value: string) => value.trim().replace(/\s+/g, ' ').toLowerCase();

/** More than the papers a run's readers plausibly voted on (about fifty a day, votes fading over months); past it the cache starts again. */
const PAPERS_KEPT = 20_000;

/** The features of voted and clicked papers, read from `papers` once per cache (one per send run). */
export class SignalPapers {
  private readonly byId = new Map<string, PaperSnapshot>();

  async load(db: Db, ids: Iterable<string>): Promise<ReadonlyMap<string, PaperSnapshot>> {
    const wanted = [...new Set(ids)];
    let missing = wanted.filter((id) => !this.byId.has(id));
    if (missing.length && this.byId.size + missing.length > PAPERS_KEPT) {
      this.byId.clear();
      missing = wanted;
    }
    if (missing.length) {
      const rows = await db
        .select({
          id: papers.id,
          title: papers.title,
          summary: papers.summary,
          topics: papers.topics,
          aiKeywords: papers.aiKeywords,
          authors: papers.authors,
          organizationName: papers.organizationName,
          organizationFullname: papers.organizationFullname,
        })
        .from(papers)
        .where(inArray(papers.id, missing));
      for (const r of rows) this.byId.set(r.id, snapshotOf(paperFeatures({ ...r, upvotes: 0, score: 0 })));
      // A paper no longer stored (none is pruned today) still lists under its id, with nothing to learn from.
      for (const id of missing) if (!this.byId.has(id)) this.byId.set(id, { title: id, topics: [], aiKeywords: [], terms: [], organisation: null, authors: [] });
    }
    return this.byId;
  }
}

export async function loadProfiles(db: Db, subscriberIds: readonly string[], signalPapers = new SignalPapers()): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>(subscriberIds.map((id) => [id, emptyProfile()]));
  if (!subscriberIds.length) return out;
  const ids = [...new Set(subscriberIds)];
  const [votes, clicks, rules] = await Promise.all([
    db.select().from(profileVotes).where(inArray(profileVotes.subscriberId, ids)),
    db.select().from(profileClicks).where(inArray(profileClicks.subscriberId, ids)),
    db.select().from(profileRules).where(inArray(profileRules.subscriberId, ids)),
  ]);
  const paper = await signalPapers.load(db, [...votes.map((v) => v.paperId), ...clicks.map((c) => c.paperId)]);
  // Rows arrive in no particular order; sort so ranking (and its why-lines) never depend on it.
  const byTime = <T extends { at: Date; paperId?: string; key?: string }>(a: T, b: T) => {
    const x = a.paperId ?? a.key!;
    const y = b.paperId ?? b.key!;
    return a.at.getTime() - b.at.getTime() || (x < y ? -1 : x > y ? 1 : 0);
  };
  for (const v of votes.sort(byTime)) out.get(v.subscriberId)!.votes.push({ paperId: v.paperId, vote: v.vote, paper: paper.get(v.paperId)!, at: v.at });
  for (const c of clicks.sort(byTime)) out.get(c.subscriberId)!.clicks.push({ paperId: c.paperId, clicks: c.clicks, paper: paper.get(c.paperId)!, at: c.at });
  for (const r of rules.sort(byTime)) out.get(r.subscriberId)!.rules.push({ kind: r.kind, key: r.key, value: r.value, stance: r.stance, at: r.at });
  return out;
}

export async function loadProfile(db: Db, subscriberId: string): Promise<Profile> {
  return (await loadProfiles(db, [subscriberId])).get(subscriberId)!;
}
