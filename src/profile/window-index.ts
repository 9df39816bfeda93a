/**
 * Per-window work shared by every reader of a send run, so ranking a reader
 * is arithmetic over small integer arrays:
 *
 * - every feature key of the window's papers gets a number (`fid`);
 * - per paper, its features' numbers; per feature, the papers that have it
 *   (an inverted index);
 * - per feature, kind(f) · r(f) of the affinity formula (affinity.ts), which
 *   depends on the window alone.
 *
 * Cached on the window array, which a send run builds once per window and
 * passes to every reader. A voted paper's features are looked up here once
 * per window too (`fidsOf`): only those the window has can move a paper.
 */
import { KIND_WEIGHT, keysOf, kindOf, type FeatureSource } from './affinity.ts';
import type { PaperFeatures } from '../digest/features.ts';

export interface WindowIndex<P extends PaperFeatures = PaperFeatures> {
  papers: readonly P[];
  position: ReadonlyMap<string, number>;
  /** Feature key → its number in this window. */
  fid: ReadonlyMap<string, number>;
  keyOf: readonly string[];
  /** Per paper: its features' numbers, in the paper's key order. */
  paperFids: readonly Int32Array[];
  /** Per feature f: the papers that have it, `postings[postingStart[f] .. postingStart[f + 1]]` (one flat array: the hot loop reads it in a row). */
  postings: Int32Array;
  postingStart: Int32Array;
  /** Per feature: kind(f) · r(f). */
  weightOf: Float64Array;
  /** Per paper: ln(trending), the order's base score. */
  lnTrending: Float64Array;
  /** The features of any paper (a voted one) that this window has, in its key order. */
  fidsOf(p: FeatureSource): Int32Array;
  /** The same as a mask over the window's features (1: the paper has it). */
  memberOf(p: FeatureSource): Uint8Array;
  /** The papers of the window with this feature key. */
  papersWith(key: string): Int32Array;
  /**
   * Working arrays for ranking one reader against this window, reused from
   * reader to reader (allocating them per reader cost more than the ranking):
   * per feature a weight, a mark, which liked papers have it (bits), and the
   * list of the features given a weight; per paper an affinity, a mark and a score;
   * and room for one paper's features and their parts (a why-line's sums).
   * All zero between readers; whoever uses them zeroes what they set (the
   * scores and the last two are written before they are read).
   */
  scratch: {
    weights: Float64Array;
    marked: Uint8Array;
    learned: Int32Array;
    likedBits: Int32Array;
    aff: Float64Array;
    inPool: Uint8Array;
    /** Per paper: a candidate's score (written before it is read). */
    score: Float64Array;
    paperFids: Int32Array;
    paperParts: Float64Array;
  };
}

const EMPTY = new Int32Array(0);
const cache = new WeakMap<readonly PaperFeatures[], WindowIndex>();

function build<P extends PaperFeatures>(papers: readonly P[]): WindowIndex<P> {
  const position = new Map<string, number>();
  const fid = new Map<string, number>();
  const keyOf: string[] = [];
  const lists: number[][] = [];
  const paperFids = papers.map((p, i) => {
    position.set(p.id, i);
    const keys = keysOf(p);
    const out = new Int32Array(keys.length);
    keys.forEach((k, j) => {
      let f = fid.get(k);
      if (f === undefined) {
        fid.set(k, (f = keyOf.length));
        keyOf.push(k);
        lists.push([]);
      }
      lists[f]!.push(i);
      out[j] = f;
    });
    return out;
  });
  const postingStart = new Int32Array(keyOf.length + 1);
  lists.forEach((l, f) => (postingStart[f + 1] = postingStart[f]! + l.length));
  const postings = new Int32Array(postingStart[keyOf.length]!);
  lists.forEach((l, f) => postings.set(l, postingStart[f]!));
  // r(f) = ln((N + 1) / (df(f) + 1)) / ln(N + 1): rare features count, ubiquitous ones hardly.
  const n = papers.length;
  const norm = Math.log(n + 1) || 1;
  const weightOf = Float64Array.from(keyOf, (k, f) => KIND_WEIGHT[kindOf(k)] * (n ? Math.log((n + 1) / (lists[f]!.length + 1)) / norm : 1));
  const lnTrending = Float64Array.from(papers, (p) => Math.log(Math.max(p.trending, 1e-300)));
  const mostFeatures = paperFids.reduce((most, f) => Math.max(most, f.length), 0);
  const voted = new WeakMap<FeatureSource, Int32Array>();
  const masks = new WeakMap<FeatureSource, Uint8Array>();
  return {
    papers,
    position,
    fid,
    keyOf,
    paperFids,
    postings,
    postingStart,
    weightOf,
    lnTrending,
    scratch: {
      weights: new Float64Array(keyOf.length),
      marked: new Uint8Array(keyOf.length),
      learned: new Int32Array(keyOf.length),
      likedBits: new Int32Array(keyOf.length),
      aff: new Float64Array(n),
      inPool: new Uint8Array(n),
      score: new Float64Array(n),
      paperFids: new Int32Array(mostFeatures),
      paperParts: new Float64Array(mostFeatures),
    },
    fidsOf(p) {
      let out = voted.get(p);
      if (!out) {
        const known: number[] = [];
        for (const k of keysOf(p)) {
          const f = fid.get(k);
          if (f !== undefined) known.push(f);
        }
        voted.set(p, (out = Int32Array.from(known)));
      }
      return out;
    },
    memberOf(p) {
      let mask = masks.get(p);
      if (!mask) {
        mask = new Uint8Array(keyOf.length);
        for (const f of this.fidsOf(p)) mask[f] = 1;
        masks.set(p, mask);
      }
      return mask;
    },
    papersWith(key) {
      const f = fid.get(key);
      return f === undefined ? EMPTY : postings.subarray(postingStart[f]!, postingStart[f + 1]!);
    },
  };
}

/** The index over the window, plus any matching paper the window lacks (then built for this call only). */
export function windowIndex<P extends PaperFeatures>(window: readonly P[], matching: readonly P[]): WindowIndex<P> {
  let index = cache.get(window) as WindowIndex<P> | undefined;
  if (!index) {
    const seen = new Set<string>();
    index = build(window.filter((p) => !seen.has(p.id) && seen.add(p.id)));
    cache.set(window, index);
  }
  const known = index;
  if (matching.every((p) => known.position.has(p.id))) return known;
  return build([...known.papers, ...matching.filter((p) => !known.position.has(p.id))]);
}
