/**
 * Topic tagging for large ingests on a worker thread. Tagging is the largest
 * cost of an ingest in Node (reading every abstract), and the main thread is
 * what limits a backfill: with the tagger beside it, the main thread only
 * encodes and sends while the worker tags the next batch, and Postgres
 * inserts on the other core (BENCHMARKS.md). A worker takes a few hundred
 * milliseconds to start, so small ingests (the hourly one) tag inline.
 *
 * If the worker cannot start or dies, tagging falls back to inline: the
 * ingest is slower, never wrong.
 */
import { Worker } from 'node:worker_threads';
import { tagTopics, type TaggableText, type Topic } from './topics.ts';

export interface Tagger {
  tag(batch: readonly TaggableText[]): Promise<Topic[][]>;
  /** True once tagging is inline: always for inlineTagger; for a worker, once it failed or was closed. */
  readonly inline: boolean;
  close(): Promise<void>;
}

export const inlineTagger: Tagger = {
  tag: async (batch) => batch.map((p) => tagTopics(p)),
  inline: true,
  close: async () => {},
};

export function startTagWorker(): Tagger {
  const worker = new Worker(new URL('./tag-worker.js', import.meta.url));
  const pending = new Map<number, { batch: readonly TaggableText[]; resolve: (t: Topic[][]) => void }>();
  let nextId = 0;
  let broken = false;
  // Whatever was in flight when the worker failed is tagged here instead.
  const fallBack = () => {
    broken = true;
    for (const { batch, resolve } of pending.values()) resolve(batch.map((p) => tagTopics(p)));
    pending.clear();
  };
  worker.on('message', ({ id, topics }: { id: number; topics: Topic[][] }) => {
    pending.get(id)?.resolve(topics);
    pending.delete(id);
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return {
    tag(batch) {
      if (broken) return inlineTagger.tag(batch);
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { batch, resolve });
        // Only the fields the tagger reads cross the thread boundary.
        worker.postMessage({ id, texts: batch.map(({ title, summary, aiKeywords }) => ({ title, summary, aiKeywords })) });
      });
    },
    get inline() {
      return broken;
    },
    async close() {
      broken = true;
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
