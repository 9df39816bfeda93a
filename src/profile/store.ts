/**
 * Every change to a reader's profile: votes (and their undo), follows, mutes
 * and negative keywords (and their removal), clicks. Each write is one
 * idempotent statement: pressing More like this twice is one vote, following
 * twice is one follow, so a reloaded page or a double click changes nothing.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { papers, profileClicks, profileRules, profileVotes, type RuleKind, type RuleStance, type VoteKind } from '../db/schema.ts';
import { topics } from '../papers/topics.ts';
import { findSubscriber } from '../subscribers/lifecycle.ts';
import { invalidRule, unknownPaper } from './errors.ts';
import { ruleKey } from './profile.ts';

export const MAX_RULE_LENGTH = 100;

export async function recordVote(db: Db, subscriberId: string, paperId: string, vote: VoteKind, now: Date) {
  await findSubscriber({ db }, subscriberId);
  const title = await paperTitle(db, paperId);
  await db
    .insert(profileVotes)
    .values({ subscriberId, paperId, vote, at: now })
    .onConflictDoUpdate({ target: [profileVotes.subscriberId, profileVotes.paperId], set: { vote, at: now } });
  return { title };
}

/** Returns whether there was a vote to undo. `vote` given: only that vote goes (undoing a More never removes a later Less). */
export async function undoVote(db: Db, subscriberId: string, paperId: string, vote?: VoteKind): Promise<boolean> {
  const gone = await db
    .delete(profileVotes)
    .where(and(eq(profileVotes.subscriberId, subscriberId), eq(profileVotes.paperId, paperId), vote ? eq(profileVotes.vote, vote) : undefined))
    .returning({ paperId: profileVotes.paperId });
  return gone.length > 0;
}

/** The rule's value checked and tidied, or a clear error naming the problem. */
export function cleanRule(kind: RuleKind, raw: string): { key: string; value: string } {
  const value = raw.trim().replace(/\s+/g, ' ');
  if (!value) throw invalidRule(`the ${kind} is empty`);
  if (value.length > MAX_RULE_LENGTH) throw invalidRule(`the ${kind} is longer than ${MAX_RULE_LENGTH} characters`);
  if (kind === 'topic') {
    // A topic is stored by its slug; the reader may type the slug or the label.
    const topic = topics.find((t) => t.slug === value.toLowerCase() || t.label.toLowerCase() === value.toLowerCase());
    if (!topic) throw invalidRule(`"${value}" is not a topic; choose one of ${topics.map((t) => t.label).join(', ')}`);
    return { key: topic.slug, value: topic.slug };
  }
  if (kind === 'keyword' && !/[\p{L}\p{N}]/u.test(value)) throw invalidRule(`"${value}" has no letters or digits to match`);
  return { key: ruleKey(value), value };
}

/** Follow or mute; following what was muted (or the reverse) replaces it. Keywords can only be muted. */
export async function setRule(db: Db, subscriberId: string, kind: RuleKind, raw: string, stance: RuleStance, now: Date) {
  if (kind === 'keyword' && stance === 'follow') throw invalidRule('keywords to follow are set with your topics and keywords; here keywords are only kept out');
  const { key, value } = cleanRule(kind, raw);
  await findSubscriber({ db }, subscriberId);
  await db
    .insert(profileRules)
    .values({ subscriberId, kind, key, value, stance, at: now })
    .onConflictDoUpdate({ target: [profileRules.subscriberId, profileRules.kind, profileRules.key], set: { value, stance, at: now } });
  return { kind, value, stance };
}

/** Returns whether there was such a rule. `stance` given: only a rule with that stance goes (an undo of a follow never removes a later mute). */
export async function removeRule(db: Db, subscriberId: string, kind: RuleKind, raw: string, stance?: RuleStance): Promise<boolean> {
  const key = kind === 'topic' ? raw.trim() : ruleKey(raw);
  const gone = await db
    .delete(profileRules)
    .where(
      and(
        eq(profileRules.subscriberId, subscriberId),
        eq(profileRules.kind, kind),
        eq(profileRules.key, key),
        stance ? eq(profileRules.stance, stance) : undefined,
      ),
    )
    .returning({ key: profileRules.key });
  return gone.length > 0;
}

export async function recordClick(db: Db, subscriberId: string, paperId: string, now: Date): Promise<void> {
  await findSubscriber({ db }, subscriberId);
  await paperTitle(db, paperId);
  await db
    .insert(profileClicks)
    .values({ subscriberId, paperId, at: now })
    .onConflictDoUpdate({
      target: [profileClicks.subscriberId, profileClicks.paperId],
      set: { clicks: sql`${profileClicks.clicks} + 1`, at: now },
    });
}

export async function forgetClick(db: Db, subscriberId: string, paperId: string): Promise<boolean> {
  const gone = await db
    .delete(profileClicks)
    .where(and(eq(profileClicks.subscriberId, subscriberId), eq(profileClicks.paperId, paperId)))
    .returning({ paperId: profileClicks.paperId });
  return gone.length > 0;
}

export async function paperTitle(db: Db, paperId: string): Promise<string> {
  const [row] = await db.select({ title: papers.title }).from(papers).where(eq(papers.id, paperId));
  if (!row) throw unknownPaper(paperId);
  return row.title;
}
