/**
 * Runs a task on a cron expression inside this process: the embedded default's
 * stand-in for a BullMQ job scheduler, on the same expressions. A run never
 * overlaps the previous one; a failed run is logged and the schedule goes on.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Logger } from '../log.ts';

export interface CronTimer {
  stop(): Promise<void>;
}

export function startCronTimer(name: string, cron: string, task: () => Promise<unknown>, log: Logger): CronTimer {
  const schedule = CronExpressionParser.parse(cron, { tz: 'UTC' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  const arm = () => {
    if (stopped) return;
    schedule.reset(new Date());
    const delay = Math.max(0, schedule.next().getTime() - Date.now());
    // setTimeout overflows past ~24.8 days: wait in steps instead of firing early.
    const MAX = 2 ** 31 - 1;
    timer = delay > MAX ? setTimeout(arm, MAX) : setTimeout(fire, delay);
    timer.unref?.();
  };
  const fire = () => {
    running = task()
      .catch((err: unknown) => log.error({ err, job: name }, 'scheduled job failed'))
      .finally(() => {
        running = undefined;
        arm();
      });
  };
  arm();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
