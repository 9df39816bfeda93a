/**
 * The cron job schedulers (hourly ingest, planner tick) live in Redis. If
 * Redis loses its data (FLUSHALL, restarted without persistence, failover to
 * an empty replica) they are gone, and with them every future tick: nothing
 * would be planned or sent again until a worker restarted. So every worker
 * upserts them on start, and then checks that each scheduler and its next
 * job still exist — every half planner interval (at most a minute apart) and
 * whenever its Redis connection comes back — and re-creates what is missing,
 * with a warning in the log and `paperboy_job_schedulers_restored_total`.
 *
 * A missing planner scheduler means the send jobs went with it: the repair
 * also runs one planner tick at once that resumes every queued delivery,
 * however recent (a normal tick waits 10 minutes before it calls a queued
 * delivery lost). Claims keep a delivery that still had its job from going
 * out twice. Upserting is idempotent, so any number of workers may repair at
 * once.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Queues } from './queues.ts';

interface Scheduler {
  queue: Queue;
  id: string;
  pattern: string;
  name: string;
}

export interface SchedulerKeeper {
  /** Checks now; resolves to the ids of the schedulers it had to re-create. */
  check(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Half the planner's interval, between 1 s and 60 s: a lost tick is back within one interval. */
export function checkInterval(planCron: string): number {
  const cron = CronExpressionParser.parse(planCron, { tz: 'UTC' });
  const interval = cron.next().getTime() - cron.prev().getTime();
  return Math.min(60_000, Math.max(1000, interval / 2));
}

export async function keepSchedulers(
  queues: Queues,
  deps: { config: Pick<Config, 'INGEST_CRON' | 'PLAN_CRON' | 'RETENTION_CRON'>; log: Logger; metrics?: Pick<Metrics, 'schedulersRestored'> },
): Promise<SchedulerKeeper> {
  const { config, log } = deps;
  const schedulers: Scheduler[] = [
    { queue: queues.ingest, id: 'ingest-hourly', pattern: config.INGEST_CRON, name: 'ingest' },
    { queue: queues.plan, id: 'plan', pattern: config.PLAN_CRON, name: 'plan' },
    { queue: queues.retention, id: 'retention-daily', pattern: config.RETENTION_CRON, name: 'retention' },
  ];
  const upsert = (s: Scheduler) => s.queue.upsertJobScheduler(s.id, { pattern: s.pattern }, { name: s.name, data: {} });
  for (const s of schedulers) await upsert(s);

  const present = async (s: Scheduler) => {
    const found = await s.queue.getJobScheduler(s.id);
    // The scheduler's hash and the job of its next tick (BullMQ's id for it).
    return !!found?.next && !!(await s.queue.getJob(`repeat:${s.id}:${found.next}`));
  };

  let checking: Promise<string[]> | undefined;
  const run = async (): Promise<string[]> => {
    const restored: string[] = [];
    for (const s of schedulers) {
      if (await present(s)) continue;
      await upsert(s);
      restored.push(s.id);
      deps.metrics?.schedulersRestored.inc({ scheduler: s.id });
    }
    if (!restored.length) return restored;
    log.warn({ restored }, 'job schedulers were missing from Redis (data lost?): re-created them');
    if (restored.includes('plan')) {
      // One resume tick, under an id per interval so that workers repairing together add it once.
      const slot = Math.floor(Date.now() / checkInterval(config.PLAN_CRON));
      await queues.plan.add('plan', { resumeQueued: true }, { jobId: `resume-${slot}` });
    }
    return restored;
  };
  const check = () => {
    checking ??= run().finally(() => (checking = undefined));
    return checking;
  };
  const checkLogged = () => check().catch((err: unknown) => log.warn({ err }, 'job scheduler check failed; trying again later'));

  const timer = setInterval(checkLogged, checkInterval(config.PLAN_CRON));
  timer.unref?.();
  const redis = queues.redis();
  redis.on('ready', checkLogged);
  return {
    check,
    async stop() {
      clearInterval(timer);
      redis.off('ready', checkLogged);
      await checking?.catch(() => {});
    },
  };
}
