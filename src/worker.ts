/**
 * The worker process: ingest, plan and send jobs. With REDIS_URL set they are
 * BullMQ workers sharing the queues with every other worker process; without
 * it, the embedded runner does the same work in this process. `paperboy
 * worker` runs this alone; `paperboy start` runs it beside the web server on
 * the same database handle.
 */
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { startWorkers, type Workers } from './jobs/bullmq-workers.ts';
import type { JobContext } from './jobs/context.ts';
import { startInlineJobs, type InlineJobs } from './jobs/inline-runner.ts';
import type { Logger } from './log.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Metrics } from './metrics/registry.ts';
import { loadSecrets } from './subscribers/secret.ts';

export interface JobsHandle {
  mode: 'bullmq' | 'inline';
  bullmq?: Workers;
  inline?: InlineJobs;
  /** Finishes in-flight jobs (sends included), then stops. */
  close(): Promise<void>;
}

export async function startJobs(deps: { config: Config; db: Db; log: Logger; mailer: Mailer; metrics?: Metrics }): Promise<JobsHandle> {
  const ctx: JobContext = { ...deps, secrets: loadSecrets(deps.config), now: () => new Date() };
  if (deps.config.REDIS_URL) {
    const bullmq = await startWorkers(ctx, {
      connection: { url: deps.config.REDIS_URL, maxRetriesPerRequest: null },
      prefix: deps.config.REDIS_PREFIX,
    });
    return { mode: 'bullmq', bullmq, close: () => bullmq.close() };
  }
  const inline = startInlineJobs(ctx);
  return { mode: 'inline', inline, close: () => inline.stop() };
}
