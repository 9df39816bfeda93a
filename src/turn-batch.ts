/**
 * Coalesces the calls made during one event-loop turn into one batch, run
 * right after that turn (setImmediate). Under load, the requests read from
 * many sockets in one turn then share a single round trip to Postgres or
 * Redis, where each used to pay its own; when idle, a call waits for nothing
 * but its own round trip. On the project's machine a socket write and a
 * commit are among the dearest things a request does (BENCHMARKS.md).
 *
 * `serial` keeps one batch in flight at a time: calls arriving meanwhile
 * form the next batch, which is larger and never races the one before it
 * for the same rows' locks.
 */

export interface TurnBatchOptions {
  /** Items per run; the rest wait for the next. */
  maxBatch?: number;
  serial?: boolean;
}

/**
 * `run` receives the items in call order and answers one result per item, in
 * the same order; an Error in a slot rejects that call alone, and a thrown
 * error rejects every call of the batch.
 */
export function turnBatcher<I, O>(run: (items: I[]) => Promise<(O | Error)[]>, opts: TurnBatchOptions = {}): (item: I) => Promise<O> {
  const { maxBatch = 1000, serial = false } = opts;
  let queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let running = false;

  const schedule = () => {
    if (scheduled || (serial && running) || !queue.length) return;
    scheduled = true;
    setImmediate(flush);
  };

  function flush(): void {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    running = true;
    run(batch.map((b) => b.item))
      .then(
        (results) =>
          batch.forEach((b, i) => {
            const r = results[i];
            if (r instanceof Error) b.reject(r);
            else if (i < results.length) b.resolve(r as O);
            else b.reject(new Error('batch returned fewer results than items'));
          }),
        (err) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        running = false;
        schedule();
      });
    if (!serial) schedule();
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
