/**
 * A real `paperboy worker` process on the real Redis, as an operator runs it.
 * Defaults keep it quiet and deterministic: nothing is scheduled unless the
 * caller sets a cron (tests add plan jobs by hand), and the Hugging Face URL
 * points nowhere, so an ingest that does run fails at once instead of hanging.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SOURCE_ENTRY } from './entries.ts';

/** `entry`: SOURCE_ENTRY (through tsx) or COMPILED_ENTRY (the build the image runs), entries.ts. */
export function spawnWorker(env: Record<string, string>, opts: { nodeArgs?: string[]; stdout?: 'ignore' | 'pipe'; entry?: string } = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? SOURCE_ENTRY, 'worker'], {
    env: {
      ...process.env,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SECRET: 'w'.repeat(40),
      INGEST_CRON: '0 0 1 1 *',
      PLAN_CRON: '0 0 1 1 *',
      HF_API_URL: 'http://127.0.0.1:1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', opts.stdout ?? 'ignore', 'inherit'],
  });
}
