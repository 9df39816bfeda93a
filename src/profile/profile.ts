/**
 * A reader's learned profile as ranking uses it, loaded for many readers in
 * three queries (one per table) by `loadProfiles`.
 */
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { profileClicks, profileRules, profileVotes, type PaperSnapshot, type RuleKind, type RuleStance, type VoteKind } from '../db/schema.ts';

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

export async function loadProfiles(db: Db, subscriberIds: readonly string[]): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>(subscriberIds.map((id) => [id, emptyProfile()]));
  if (!subscriberIds.length) return out;
  const ids = [...new Set(subscriberIds)];
  const [votes, clicks, rules] = await Promise.all([
    db.select().from(profileVotes).where(inArray(profileVotes.subscriberId, ids)),
    db.select().from(profileClicks).where(inArray(profileClicks.subscriberId, ids)),
    db.select().from(profileRules).where(inArray(profileRules.subscriberId, ids)),
  ]);
  // Rows arrive in no particular order; sort so ranking (and its why-lines) never depend on it.
  const byTime = <T extends { at: Date; paperId?: string; key?: string }>(a: T, b: T) =>
    a.at.getTime() - b.at.getTime() || String(a.paperId ?? a.key).localeCompare(String(b.paperId ?? b.key));
  for (const v of votes.sort(byTime)) out.get(v.subscriberId)!.votes.push({ paperId: v.paperId, vote: v.vote, paper: v.paper, at: v.at });
  for (const c of clicks.sort(byTime)) out.get(c.subscriberId)!.clicks.push({ paperId: c.paperId, clicks: c.clicks, paper: c.paper, at: c.at });
  for (const r of rules.sort(byTime)) out.get(r.subscriberId)!.rules.push({ kind: r.kind, key: r.key, value: r.value, stance: r.stance, at: r.at });
  return out;
}

export async function loadProfile(db: Db, subscriberId: string): Promise<Profile> {
  return (await loadProfiles(db, [subscriberId])).get(subscriberId)!;
}
