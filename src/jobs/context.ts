/**
 * What every job needs, built once per process from the config. The same
 * context drives the BullMQ workers and the embedded in-process runner.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createDigestComposer, type DigestComposer } from '../delivery/compose.ts';
import type { CandidateCache } from '../digest/select.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';

export interface JobContext {
  config: Config;
  db: Db;
  log: Logger;
  mailer: Mailer;
  secrets: TokenSecrets;
  now: () => Date;
  /** How long to wait before retrying when the mail relay does not answer. */
  relayPauseMs?: number;
  /** Backoff base for batches with 4xx failures (doubles per attempt, with jitter). */
  retryDelayMs?: number;
  /** This process's metrics (counters of the work done here). */
  metrics?: Metrics;
}

/**
 * Compiled digests kept per run (~100 KB each with their MIME). The planner
 * orders deliveries by preference mix, so batches arrive grouped by content
 * and a few hundred entries cover a run while the heap stays small.
 */
const COMPILED_DIGESTS_KEPT = 300;

export interface RunCaches {
  composer: DigestComposer;
  candidates: CandidateCache;
}

/**
 * The caches of one send run: compiled digests (render-once) and candidate
 * lists per preference mix. The planner stamps each run with an id and jobs
 * of the same run share the caches; a new run starts new ones, so papers or
 * templates changed in between are never served stale.
 */
export function cachesForRuns(ctx: JobContext): (runId: string) => RunCaches {
  let current: ({ runId: string } & RunCaches) | undefined;
  return (runId) => {
    if (current?.runId !== runId) {
      current = { runId, composer: createDigestComposer(ctx.config, ctx.secrets, { maxEntries: COMPILED_DIGESTS_KEPT }), candidates: new Map() };
    }
    return current;
  };
}
