/**
 * A reader's learned profile as ranking uses it, loaded for many readers in
 * three queries (one per table) by `loadProfiles`, with the features of the
 * papers they voted on or clicked read from `papers` through a
 * `SignalPapers` cache: one send run reads each such paper once, and every
 * reader who voted on it shares the same object (so its feature keys are
 * worked out once, affinity.ts).
 */
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { papers, voteKinds, type PaperSnapshot, type RuleKind, type RuleStance, type VoteKind } from '../db/schema.ts';
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

const isVoteKind = (s: string | undefined): s is VoteKind => (voteKinds as readonly (string | undefined)[]).includes(s);

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

/**
 * Raw rows (votes as one string per reader), times as float8 epoch seconds
 * (`date_part`; `extract` works in numeric, and turning it into milliseconds
 * in SQL was a third of the votes' statement): a batch reads a few thousand
 * votes, and parsing each timestamp's text (and drizzle's row mapping) cost
 * more than ranking the reader.
 */
type SignalRow = { subscriber_id: string; paper_id: string; at_s: number };
const atSeconds = sql`date_part('epoch', at)`;

/** Epoch seconds (microseconds at most), as a float8 or as Postgres prints one, to whole milliseconds, rounded down. */
const epochMs = (seconds: string | number) => Math.floor(Math.round(Number(seconds) * 1e6) / 1000);

export async function loadProfiles(db: Db, subscriberIds: readonly string[], signalPapers = new SignalPapers()): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>(subscriberIds.map((id) => [id, emptyProfile()]));
  if (!subscriberIds.length) return out;
  const ids = sql.param([...new Set(subscriberIds)]);
  const [votes, clicks, rules] = await Promise.all([
    // One row per reader, its votes as one string "id vote seconds id vote seconds …":
    // a reader has tens of votes, and a row each cost more to receive and
    // parse than the reader's ranking; built as JSON they cost Postgres
    // 4.3 ms and the worker 2.7 ms a hundred readers, as a string 2.8 and
    // 1.1 ms. Paper ids have no spaces (papers/paper.ts). Unordered: they
    // are sorted below, as every signal is.
    queryRows<{ subscriber_id: string; votes: string }>(
      db,
      sql`SELECT subscriber_id, string_agg(paper_id || ' ' || vote || ' ' || ${atSeconds}, ' ') AS votes
          FROM profile_votes WHERE subscriber_id = ANY(${ids}::uuid[]) GROUP BY subscriber_id`,
      'profile_votes',
    ),
    queryRows<SignalRow & { clicks: number }>(db, sql`SELECT subscriber_id, paper_id, clicks, ${atSeconds} AS at_s FROM profile_clicks WHERE subscriber_id = ANY(${ids}::uuid[])`, 'profile_clicks'),
    queryRows<{ subscriber_id: string; kind: RuleKind; key: string; value: string; stance: RuleStance; at_s: number }>(
      db,
      sql`SELECT subscriber_id, kind, key, value, stance, ${atSeconds} AS at_s FROM profile_rules WHERE subscriber_id = ANY(${ids}::uuid[])`,
      'profile_rules',
    ),
  ]);
  const voted = votes.map((r) => ({ subscriberId: r.subscriber_id, fields: r.votes.split(' ') }));
  const paperIds: string[] = [];
  for (const { subscriberId, fields } of voted) {
    for (let k = 0; k < fields.length; k += 3) {
      if (!isVoteKind(fields[k + 1]) || !Number.isFinite(Number(fields[k + 2]))) throw new Error(`profile_votes of subscriber ${subscriberId}: unreadable vote "${fields.slice(k, k + 3).join(' ')}"`);
      paperIds.push(fields[k]!);
    }
  }
  const paper = await signalPapers.load(db, [...paperIds, ...clicks.map((c) => c.paper_id)]);
  for (const { subscriberId, fields } of voted) {
    const into = out.get(subscriberId)!.votes;
    for (let k = 0; k < fields.length; k += 3) {
      const paperId = fields[k]!;
      into.push({ paperId, vote: fields[k + 1] as VoteKind, paper: paper.get(paperId)!, at: new Date(epochMs(fields[k + 2]!)) });
    }
  }
  for (const c of clicks) out.get(c.subscriber_id)!.clicks.push({ paperId: c.paper_id, clicks: Number(c.clicks), paper: paper.get(c.paper_id)!, at: new Date(epochMs(c.at_s)) });
  for (const r of rules) out.get(r.subscriber_id)!.rules.push({ kind: r.kind, key: r.key, value: r.value, stance: r.stance, at: new Date(epochMs(r.at_s)) });
  // Rows arrive in no particular order; sort each reader's so ranking (and its why-lines) never depend on it.
  const byTime = (a: { at: Date }, x: string, b: { at: Date }, y: string) => a.at.getTime() - b.at.getTime() || (x < y ? -1 : x > y ? 1 : 0);
  for (const p of out.values()) {
    if (p.votes.length > 1) p.votes.sort((a, b) => byTime(a, a.paperId, b, b.paperId));
    if (p.clicks.length > 1) p.clicks.sort((a, b) => byTime(a, a.paperId, b, b.paperId));
    if (p.rules.length > 1) p.rules.sort((a, b) => byTime(a, a.key, b, b.key));
  }
  return out;
}

export async function loadProfile(db: Db, subscriberId: string): Promise<Profile> {
  return (await loadProfiles(db, [subscriberId])).get(subscriberId)!;
}
