/**
 * Per-window work shared by every reader of a run: each paper's feature keys
 * and an inverted index (feature → papers that have it). Ranking a reader
 * then costs a lookup per feature they have a weight for, not a pass over
 * every feature of every paper. Cached on the window array, which the caller
 * builds once per window and run.
 */
import { featureKeys } from './affinity.ts';
import type { PaperFeatures } from './features.ts';

export interface WindowIndex {
  papers: PaperFeatures[];
  position: Map<string, number>;
  keys: string[][];
  postings: Map<string, number[]>;
}

const cache = new WeakMap<readonly PaperFeatures[], WindowIndex>();

function build(papers: PaperFeatures[]): WindowIndex {
  const index: WindowIndex = { papers, position: new Map(), keys: [], postings: new Map() };
  papers.forEach((p, i) => {
    index.position.set(p.id, i);
    const keys = featureKeys(p);
    index.keys.push(keys);
    for (const k of keys) {
      const list = index.postings.get(k);
      if (list) list.push(i);
      else index.postings.set(k, [i]);
    }
  });
  return index;
}

/** The index over the window plus any matching paper the window lacks. */
export function windowIndex(window: readonly PaperFeatures[], matching: readonly PaperFeatures[]): WindowIndex {
  let index = cache.get(window);
  if (!index) {
    const seen = new Set<string>();
    index = build(window.filter((p) => !seen.has(p.id) && seen.add(p.id)));
    cache.set(window, index);
  }
  if (matching.every((p) => index.position.has(p.id))) return index;
  const extra = matching.filter((p) => !index.position.has(p.id));
  return build([...index.papers, ...extra]);
}
