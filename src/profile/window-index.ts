/**
 * Per-window work shared by every reader of a send run: which papers have
 * each feature (an inverted index), so ranking a reader costs a lookup per
 * feature they have a weight for, not a pass over every word of every paper.
 * Cached on the window array, which a send run builds once per window and
 * passes to every reader.
 */
import { keysOf } from './affinity.ts';
import type { PaperFeatures } from '../digest/features.ts';

export interface WindowIndex<P extends PaperFeatures = PaperFeatures> {
  papers: readonly P[];
  position: ReadonlyMap<string, number>;
  postings: ReadonlyMap<string, readonly number[]>;
}

const cache = new WeakMap<readonly PaperFeatures[], WindowIndex>();

function build<P extends PaperFeatures>(papers: readonly P[]): WindowIndex<P> {
  const position = new Map<string, number>();
  const postings = new Map<string, number[]>();
  papers.forEach((p, i) => {
    position.set(p.id, i);
    for (const k of keysOf(p)) {
      const list = postings.get(k);
      if (list) list.push(i);
      else postings.set(k, [i]);
    }
  });
  return { papers, position, postings };
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
