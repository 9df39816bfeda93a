/**
 * Which papers a subscriber gets for a period. Two paths, one answer:
 *
 * - `selectDigest`: one query for one subscriber (preview, tests, a resend).
 * - `selectDigests`: a send run's batch. One candidate query per distinct
 *   preference mix (topics + keywords + frequency + as-of), one batched read of
 *   the no-repeat ledger for every subscriber, and the rest in memory. A
 *   million subscribers share a few thousand mixes, so this is a few thousand
 *   queries instead of a million.
 *
 * A test holds the two paths equal, skip reasons included.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { papersAlreadySent } from '../delivery/sent-ledger.ts';
import { isTopic, type Topic } from '../papers/topics.ts';
import {
  normaliseKeywords,
  queryCandidates,
  WINDOW_DAYS,
  windowStart,
  type CandidateRow,
  type PreferenceMix,
} from './candidates.ts';
import type { DigestPeriod } from './period.ts';

export type SelectConfig = Pick<Config, 'TRENDING_GRAVITY' | 'DIGEST_SIZE'>;

export interface DigestSubscriber {
  id: string;
  /** As stored; unknown slugs are ignored. Empty: every topic. */
  topics: readonly string[];
  keywords: readonly string[];
}

/** Why a paper is in this subscriber's digest. Both empty: they follow every topic. */
export interface Why {
  topics: Topic[];
  keywords: string[];
}

export type DigestPaper = Omit<CandidateRow, 'matchedTopics' | 'matchedKeywords'> & { why: Why };

export type DigestSelection =
  | { kind: 'digest'; subscriberId: string; period: DigestPeriod; mix: PreferenceMix; papers: DigestPaper[] }
  | { kind: 'skip'; subscriberId: string; period: DigestPeriod; mix: PreferenceMix; reason: string };

export interface DigestRequest {
  subscriber: DigestSubscriber;
  period: DigestPeriod;
}

export function preferenceMix(sub: DigestSubscriber): PreferenceMix {
  const topics = [...new Set(sub.topics.filter(isTopic))].sort();
  return { topics, keywords: normaliseKeywords(sub.keywords) };
}

function toPaper({ matchedTopics, matchedKeywords, ...row }: CandidateRow): DigestPaper {
  return { ...row, why: { topics: matchedTopics, keywords: matchedKeywords } };
}

function describeMix(mix: PreferenceMix): string {
  const parts: string[] = [];
  if (mix.topics.length) parts.push(`topics ${mix.topics.join(', ')}`);
  if (mix.keywords.length) parts.push(`keywords ${mix.keywords.map((k) => `"${k}"`).join(', ')}`);
  return mix.topics.length ? parts.join(' or ') : 'any topic';
}

function skipReason(period: DigestPeriod, mix: PreferenceMix, matching: number): string {
  const days = WINDOW_DAYS[period.frequency];
  return matching === 0
    ? `no papers from the ${days} days before ${period.asOf.toISOString()} match ${describeMix(mix)}`
    : `all ${matching} matching papers from the ${days} days before ${period.asOf.toISOString()} were already sent`;
}

function decide(req: DigestRequest, mix: PreferenceMix, chosen: DigestPaper[], matching: number): DigestSelection {
  const base = { subscriberId: req.subscriber.id, period: req.period, mix };
  return chosen.length
    ? { kind: 'digest', ...base, papers: chosen }
    : { kind: 'skip', ...base, reason: skipReason(req.period, mix, matching) };
}

/** One subscriber, one query (plus one count when nothing is left, for the reason). */
export async function selectDigest(db: Db, req: DigestRequest, config: SelectConfig): Promise<DigestSelection> {
  const mix = preferenceMix(req.subscriber);
  const base = { ...mix, asOf: req.period.asOf, windowDays: WINDOW_DAYS[req.period.frequency], gravity: config.TRENDING_GRAVITY };
  const chosen = await queryCandidates(db, {
    ...base,
    excludeSentTo: { subscriberId: req.subscriber.id, period: req.period.period },
    limit: config.DIGEST_SIZE,
  });
  const matching = chosen.length ? chosen.length : (await queryCandidates(db, base)).length;
  return decide(req, mix, chosen.map(toPaper), matching);
}

const mixKey = (mix: PreferenceMix, period: DigestPeriod) =>
  JSON.stringify([period.frequency, period.asOf.getTime(), mix.topics, mix.keywords]);

/** Paper ids already sent to each subscriber in another period inside its window (the ledger, delivery/sent-ledger.ts). */
export function sentPaperIds(db: Db, requests: readonly DigestRequest[]): Promise<Map<string, Set<string>>> {
  return papersAlreadySent(
    db,
    requests.map((r) => ({ subscriberId: r.subscriber.id, period: r.period.period, since: windowStart(r.period.asOf, WINDOW_DAYS[r.period.frequency]) })),
  );
}

/**
 * Candidate lists per preference mix and as-of moment. A send run passes one
 * cache to every batch, so each mix is queried once per run rather than once
 * per batch of a hundred subscribers.
 */
export type CandidateCache = Map<string, Promise<DigestPaper[]>>;

/** Every candidate of a mix for a period, ranked (no ledger, no size limit). */
export function candidatesFor(db: Db, mix: PreferenceMix, period: DigestPeriod, config: SelectConfig, cache?: CandidateCache): Promise<DigestPaper[]> {
  const key = mixKey(mix, period);
  const hit = cache?.get(key);
  if (hit) return hit;
  const pending = queryCandidates(db, {
    ...mix,
    asOf: period.asOf,
    windowDays: WINDOW_DAYS[period.frequency],
    gravity: config.TRENDING_GRAVITY,
  })
    // One object per paper and mix, shared by the mix's subscribers (cards.ts memoises on it).
    .then((rows) => rows.map(toPaper));
  if (cache) {
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/**
 * Many subscribers at once; results in the order of `requests`. Candidate
 * lists are a window's worth of papers (a few hundred at most), so keeping
 * every mix's whole list in memory is cheap. Call with batches of a few
 * thousand subscribers: the ledger read is one query per call.
 */
export async function selectDigests(
  db: Db,
  requests: readonly DigestRequest[],
  config: SelectConfig,
  cache: CandidateCache = new Map(),
): Promise<DigestSelection[]> {
  const mixes = requests.map((r) => preferenceMix(r.subscriber));
  const [sent, lists] = await Promise.all([
    sentPaperIds(db, requests),
    Promise.all(requests.map((r, i) => candidatesFor(db, mixes[i]!, r.period, config, cache))),
  ]);
  return requests.map((r, i) => {
    const candidates = lists[i]!;
    const already = sent.get(r.subscriber.id);
    const chosen: DigestPaper[] = [];
    for (const paper of candidates) {
      if (chosen.length === config.DIGEST_SIZE) break;
      if (!already?.has(paper.id)) chosen.push(paper);
    }
    return decide(r, mixes[i]!, chosen, candidates.length);
  });
}
