/**
 * The hook that orders a subscriber's digest. Selection (select.ts) hands it
 * the papers of the window that match the subscriber's topics or keywords and
 * were not sent to them before; it returns at most `size` papers (these, or
 * others of the window), in the order shown, each with the why-line the card
 * prints.
 *
 * The order is the reader's learned profile (src/profile, README "Personal
 * ranking"): the loader a `profileOrderLoader()` makes for a send run is
 * called once per batch with the batch's subscriber ids, reads their
 * profiles in one go, and returns the synchronous `OrderReader` used for
 * each of them. A reader with no votes,
 * clicks or follows gets today's order: the top matching papers by trending
 * score, each with the "Matches your topics …" line.
 */
import type { Db } from '../db/client.ts';
import { createOrderReader, loadProfiles, SignalPapers, type Profile } from '../profile/index.ts';
import { whyLine } from './cards.ts';
import type { PaperFeatures } from './features.ts';
import type { Why } from './select.ts';

export interface ReaderOrderInput {
  /** Window papers matching the subscriber's topics or keywords, minus those already sent to them; trending order. */
  matching: PaperFeatures[];
  /**
   * Every paper of the window, trending order: the same array for every
   * reader of a run (so per-window work can be cached on it). Followed
   * organisations' papers may come from here; papers in `sent` never go out
   * (selection drops them whatever the order returns).
   */
  window: readonly PaperFeatures[];
  /** Papers already sent to this reader (the no-repeat ledger). */
  sent: ReadonlySet<string>;
  subscriberId: string;
  /** DIGEST_SIZE: return no more than this. */
  size: number;
  now: Date;
  /** Which of the subscriber's topics and keywords a paper matches (both empty for a follow-everything reader). */
  reason: (paper: PaperFeatures) => Why;
}

export type OrderReader = (input: ReaderOrderInput) => Array<{ paper: PaperFeatures; why: string }>;

/** Builds the order for one batch of subscribers (one read of their profiles, not one per subscriber). */
export type ReaderOrderLoader = (db: Db, subscriberIds: readonly string[], now: Date) => Promise<OrderReader>;

/**
 * A reader with no votes, clicks or rules: the first `size` matching papers
 * not sent yet, with today's why-lines. This is what orderForReader returns
 * for an empty profile (nothing learned, followed or muted), without testing
 * every matching paper against rules that are empty; most readers of a run
 * have no profile.
 */
export function todaysOrder(input: ReaderOrderInput): Array<{ paper: PaperFeatures; why: string }> {
  const out: Array<{ paper: PaperFeatures; why: string }> = [];
  for (const paper of input.matching) {
    if (out.length >= input.size) break;
    if (!input.sent.has(paper.id)) out.push({ paper, why: whyLine(input.reason(paper)) });
  }
  return out;
}

const isEmpty = (p: Profile | undefined) => !p || (!p.votes.length && !p.clicks.length && !p.rules.length);

/**
 * Each reader's profile orders their digest; without signals, today's order
 * and why-lines. One loader per send run: the papers its readers voted on are
 * read once for the run.
 */
export function profileOrderLoader(): ReaderOrderLoader {
  const signalPapers = new SignalPapers();
  return async (db, subscriberIds) => {
    const profiles = await loadProfiles(db, subscriberIds, signalPapers);
    const order = createOrderReader(profiles);
    return (input) => (isEmpty(profiles.get(input.subscriberId)) ? todaysOrder(input) : order({ ...input, todayWhy: (paper) => whyLine(input.reason(paper)) }));
  };
}
