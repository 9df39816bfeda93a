/**
 * What every job needs, built once per process from the config. The same
 * context drives the BullMQ workers and the embedded in-process runner.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createDigestComposer, type DigestComposer } from '../delivery/compose.ts';
import { newSelectionRun, type SelectionRun } from '../digest/select.ts';
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
 * Compiled cards kept per run (a few KB each): more than a window holds, so a
 * run compiles each card once.
 */
const CARDS_KEPT = 2000;

export interface RunCaches {
  composer: DigestComposer;
  selection: SelectionRun;
  /** This process's messages in flight, across every batch it runs: at most SEND_CONCURRENCY. */
  inFlight: LimitFunction;
}

/**
 * The caches of one send run: compiled cards (render-once) and the candidate
 * windows with parsed keywords. The planner stamps each run with an id and jobs
 * of the same run share the caches; a new run starts new ones, so papers or
 * templates changed in between are never served stale.
 */
export function cachesForRuns(ctx: JobContext): (runId: string) => RunCaches {
  let current: ({ runId: string } & RunCaches) | undefined;
  const inFlight = pLimit(ctx.config.SEND_CONCURRENCY);
  return (runId) => {
    if (current?.runId !== runId) {
      current = { runId, composer: createDigestComposer(ctx.config, ctx.secrets, { maxEntries: CARDS_KEPT }), selection: newSelectionRun(), inFlight };
    }
    return current;
  };
}
