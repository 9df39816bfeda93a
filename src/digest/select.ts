/**
 * Which papers a subscriber gets for a period. Two paths, one answer:
 *
 * - `selectDigest`: one query for one subscriber (preview, tests, a resend).
 * - `selectDigests`: a send run's batch. One candidate window per send moment
 *   and run (every paper's features computed once, features-window.ts), one
 *   batched read of the no-repeat ledger per batch, and topic and keyword
 *   matching, the ledger and the order (reader-order.ts) in memory. A run
 *   costs the same whether a million subscribers share fifty mixes or each
 *   has a keyword of their own.
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
import { sameCardAs, whyLine } from './cards.ts';
import type { PaperFeatures } from './features.ts';
import { WindowCache, type CandidateWindow } from './features-window.ts';
import { KeywordParser, keywordMatches, phraseMatches } from './keyword-match.ts';
import type { DigestPeriod } from './period.ts';
import { profileOrderLoader, type ReaderOrderLoader } from './reader-order.ts';

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

/** A chosen paper: what its card shows, what it matched, and the why-line printed for it. */
export type DigestPaper = Omit<CandidateRow, 'matchedTopics' | 'matchedKeywords'> & { why: Why; reason: string };

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
  const why = { topics: matchedTopics, keywords: matchedKeywords };
  return { ...row, why, reason: whyLine(why) };
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

/** Paper ids already sent to each subscriber in another period inside its window (the ledger, delivery/sent-ledger.ts). */
export function sentPaperIds(db: Db, requests: readonly DigestRequest[]): Promise<Map<string, Set<string>>> {
  return papersAlreadySent(
    db,
    requests.map((r) => ({ subscriberId: r.subscriber.id, period: r.period.period, since: windowStart(r.period.asOf, WINDOW_DAYS[r.period.frequency]) })),
  );
}

/**
 * What the batches of one send run share: the candidate windows (one query
 * each), parsed keywords, and how readers' digests are ordered.
 */
export interface SelectionRun {
  windows: WindowCache;
  keywords: KeywordParser;
  order: ReaderOrderLoader;
}

export const newSelectionRun = (order: ReaderOrderLoader = profileOrderLoader()): SelectionRun => ({
  windows: new WindowCache(),
  keywords: new KeywordParser(),
  order,
});

export function windowOf(db: Db, run: SelectionRun, period: DigestPeriod, config: SelectConfig): Promise<CandidateWindow> {
  return run.windows.get(db, { asOf: period.asOf, windowDays: WINDOW_DAYS[period.frequency], gravity: config.TRENDING_GRAVITY });
}

/** Which of a mix's topics and keywords a paper matches; the keywords must be loaded in `keywords`. */
export function matcherFor(mix: PreferenceMix, keywords: KeywordParser) {
  const topics = new Set<string>(mix.topics);
  const queries = mix.keywords.map((k) => [k, keywords.get(k)] as const);
  return {
    reason: (paper: PaperFeatures): Why => ({
      topics: paper.topics.filter((t) => topics.has(t)),
      keywords: queries.filter(([, q]) => keywordMatches(paper, q)).map(([k]) => k),
    }),
    // No topics: every topic (keywords then only say why).
    matches: (paper: PaperFeatures): boolean =>
      !topics.size || paper.topics.some((t) => topics.has(t)) || queries.some(([, q]) => keywordMatches(paper, q)),
  };
}

/** A window paper as a chosen digest paper. */
export function digestPaper(window: CandidateWindow, paper: PaperFeatures, why: Why, reason: string): DigestPaper {
  const row = window.row(paper.id)!;
  return sameCardAs({ ...row, why, reason }, row);
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Which papers of a window a mix matches, as a mask over window.papers, and
 * why each matches: the same answers as matcherFor(mix) paper by paper. Per
 * window, a topic mix's mask is worked out once, and a keyword's once (it is
 * tried only on the papers holding the rarest of its words, from an index of
 * the window's lexemes), so a reader's cost does not grow with the window,
 * and a chosen paper's why is read from the masks rather than matched again.
 */
interface WindowMasks {
  byLexeme: Map<string, number[]>;
  /** Papers holding lexeme b right after lexeme a (key pairKey(a, b)), built on the first keyword: most keywords are phrases, and their commonest words ("of the") are in nearly every paper. */
  byPair?: Map<string, number[]>;
  position: Map<PaperFeatures, number>;
  topics: Map<string, Uint8Array>;
  keywords: Map<string, Uint8Array>;
}
const MASKS_KEPT = 20_000;
/** Keyword masks kept: a keyword many readers share is matched again after a reset; one of a reader's own is used once a run. */
const KEYWORD_MASKS_KEPT = 2_000;
const masks = new WeakMap<CandidateWindow, WindowMasks>();

function masksOf(window: CandidateWindow): WindowMasks {
  let m = masks.get(window);
  if (!m) {
    const byLexeme = new Map<string, number[]>();
    const position = new Map<PaperFeatures, number>();
    window.papers.forEach((p, i) => {
      position.set(p, i);
      for (const lexeme of p.lexemes.keys()) {
        const list = byLexeme.get(lexeme);
        if (list) list.push(i);
        else byLexeme.set(lexeme, [i]);
      }
    });
    masks.set(window, (m = { byLexeme, position, topics: new Map(), keywords: new Map() }));
  }
  return m;
}

function topicMask(window: CandidateWindow, m: WindowMasks, topics: readonly string[]): Uint8Array {
  const key = topics.join(',');
  let mask = m.topics.get(key);
  if (!mask) {
    const wanted = new Set<string>(topics);
    mask = Uint8Array.from(window.papers, (p) => (p.topics.some((t) => wanted.has(t)) ? 1 : 0));
    if (m.topics.size >= MASKS_KEPT) m.topics.clear();
    m.topics.set(key, mask);
  }
  return mask;
}

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

function pairsOf(window: CandidateWindow, m: WindowMasks): Map<string, number[]> {
  if (m.byPair) return m.byPair;
  const byPair = new Map<string, number[]>();
  window.papers.forEach((p, i) => {
    // Lexemes by position; a list, as positions past tsvector's last (16383) are shared.
    const at: string[][] = [];
    for (const [lexeme, positions] of p.lexemes) for (const q of positions) (at[q] ??= []).push(lexeme);
    at.forEach((here, q) => {
      const next = at[q + 1];
      if (!next) return;
      for (const a of here) {
        for (const b of next) {
          const key = pairKey(a, b);
          const list = byPair.get(key);
          if (!list) byPair.set(key, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      }
    });
  });
  return (m.byPair = byPair);
}

function keywordMask(window: CandidateWindow, m: WindowMasks, keyword: string, keywords: KeywordParser): Uint8Array {
  let mask = m.keywords.get(keyword);
  if (!mask) {
    mask = new Uint8Array(window.papers.length);
    for (const phrase of keywords.get(keyword)) {
      // Only papers holding every word of the phrase can match: try those
      // holding its rarest word, or its rarest pair of adjacent words.
      let fewest: number[] | undefined;
      for (const { lexeme } of phrase) {
        const list = m.byLexeme.get(lexeme);
        if (!list) {
          fewest = undefined;
          break;
        }
        if (!fewest || list.length < fewest.length) fewest = list;
      }
      if (!fewest) continue;
      // A two-word phrase's pair list is its answer; a longer one's, candidates.
      let exact = false;
      if (phrase.length > 1) {
        const pairs = pairsOf(window, m);
        for (let k = 0; k + 1 < phrase.length && fewest; k++) {
          if (phrase[k + 1]!.offset - phrase[k]!.offset !== 1) continue;
          const list = pairs.get(pairKey(phrase[k]!.lexeme, phrase[k + 1]!.lexeme));
          if (!list) fewest = undefined;
          else if (list.length < fewest.length || (phrase.length === 2 && list.length === fewest.length)) {
            fewest = list;
            exact = phrase.length === 2;
          }
        }
      }
      for (const i of fewest ?? []) if (!mask[i] && (exact || phraseMatches(window.papers[i]!.lexemes, phrase))) mask[i] = 1;
    }
    if (m.keywords.size >= KEYWORD_MASKS_KEPT) m.keywords.clear();
    m.keywords.set(keyword, mask);
  }
  return mask;
}

export interface WindowMatch {
  /** 1 for each paper of window.papers the mix matches. */
  mask: Uint8Array;
  /** Which of the mix's topics and keywords a paper of the window matches. */
  reason(paper: PaperFeatures): Why;
}

export function windowMatch(window: CandidateWindow, mix: PreferenceMix, keywords: KeywordParser): WindowMatch {
  const m = masksOf(window);
  const byKeyword = mix.keywords.map((k) => [k, keywordMask(window, m, k, keywords)] as const);
  const topics = new Set<string>(mix.topics);
  const reason = (paper: PaperFeatures): Why => {
    const i = m.position.get(paper);
    // Every caller passes the window's own papers (its order, a restored selection): anything else is a bug to name.
    if (i === undefined) throw new Error(`paper ${paper.id} is not one of this window's papers`);
    const why: Why = { topics: paper.topics.filter((t) => topics.has(t)), keywords: [] };
    for (const [k, hit] of byKeyword) if (hit[i]) why.keywords.push(k);
    return why;
  };
  const n = window.papers.length;
  // No topics: every topic (keywords then only say why).
  if (!mix.topics.length) return { mask: new Uint8Array(n).fill(1), reason };
  const mask = topicMask(window, m, mix.topics);
  if (!byKeyword.length) return { mask, reason };
  const out = mask.slice();
  for (const [, hit] of byKeyword) for (let i = 0; i < n; i++) out[i]! |= hit[i]!;
  return { mask: out, reason };
}

/**
 * Many subscribers at once; results in the order of `requests`. The windows
 * come from the run (one query each per run), the ledger is one query per
 * call, and matching, the ledger and ordering happen here in memory, so the
 * cost per subscriber does not depend on how many share a digest.
 */
export async function selectDigests(
  db: Db,
  requests: readonly DigestRequest[],
  config: SelectConfig,
  run: SelectionRun = newSelectionRun(),
): Promise<DigestSelection[]> {
  const mixes = requests.map((r) => preferenceMix(r.subscriber));
  const [sent, windows, order] = await Promise.all([
    sentPaperIds(db, requests),
    Promise.all(requests.map((r) => windowOf(db, run, r.period, config))),
    run.order(db, requests.map((r) => r.subscriber.id), new Date()),
    run.keywords.load(db, mixes.flatMap((m) => m.keywords)),
  ]);
  return requests.map((r, i) => {
    const mix = mixes[i]!;
    const window = windows[i]!;
    const already = sent.get(r.subscriber.id) ?? NONE;
    const { mask, reason } = windowMatch(window, mix, run.keywords);
    const matching = window.papers.filter((p, j) => mask[j] === 1 && !already.has(p.id));
    if (!matching.length) return decide(r, mix, [], already.size ? mask.reduce((n, x) => n + x, 0) : 0);
    const ordered = order({ matching, window: window.papers, sent: already, subscriberId: r.subscriber.id, size: config.DIGEST_SIZE, now: r.period.asOf, reason });
    // The ledger holds whatever the order returns.
    const chosen = ordered
      .filter(({ paper }) => !already.has(paper.id) && window.features(paper.id))
      .slice(0, config.DIGEST_SIZE)
      .map(({ paper, why }) => digestPaper(window, paper, reason(paper), why));
    return decide(r, mix, chosen, matching.length);
  });
}

/**
 * A delivery resumed after a crash may already have gone out once (killed
 * between the relay's 250 and our commit). It must carry the same papers, so
 * the papers chosen then are reused rather than re-ranked; `fresh` stands
 * when one of them has left the window since. Call after selectDigests for
 * the same request (its keywords are loaded).
 */
export async function restoreSelection(
  db: Db,
  run: SelectionRun,
  req: DigestRequest,
  paperIds: readonly string[],
  config: SelectConfig,
  fresh: DigestSelection,
): Promise<DigestSelection> {
  const window = await windowOf(db, run, req.period, config);
  const papers = paperIds.map((id) => window.features(id));
  if (papers.some((p) => !p)) return fresh;
  const mix = preferenceMix(req.subscriber);
  const { reason } = windowMatch(window, mix, run.keywords);
  const chosen = (papers as PaperFeatures[]).map((p) => digestPaper(window, p, reason(p), whyLine(reason(p))));
  return { kind: 'digest', subscriberId: req.subscriber.id, period: req.period, mix, papers: chosen };
}

/** Every paper of the windows these selections draw from, as digest papers (to compile all their cards at once). */
export async function windowPapers(db: Db, run: SelectionRun, periods: readonly DigestPeriod[], config: SelectConfig): Promise<DigestPaper[]> {
  const windows = await Promise.all([...new Map(periods.map((p) => [`${p.asOf.getTime()}|${p.frequency}`, p])).values()].map((p) => windowOf(db, run, p, config)));
  return windows.flatMap((w) => w.papers.map((p) => digestPaper(w, p, { topics: [], keywords: [] }, '')));
}
