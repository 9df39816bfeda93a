/**
 * `paperboy send [--date D] [--wait]` as an operator runs it: a child process
 * against the real Postgres and a real SMTP sink; without Redis the pass runs
 * in the command itself, with Redis it is handed to the workers and --wait
 * follows it to the end.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { subscribers } from '../../src/db/schema.ts';
import { startWorkers } from '../../src/jobs/bullmq-workers.ts';
import { silentLogger } from '../../src/log.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { runPaperboy } from '../helpers/cli.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sink: SmtpSink;
const env = () => ({ DATABASE_URL: database.url, SMTP_URL: sink.url, PUBLIC_URL: 'https://papers.example.org' });

beforeAll(async () => {
  [database, sink] = await Promise.all([createTestDatabase(), startSmtpSink({ light: true })]);
  await runIngest({ db: database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
});
afterAll(async () => {
  await Promise.all([sink.close(), database.drop()]);
});

const addActive = (prefix: string, n: number) =>
  database.db.insert(subscribers).values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.org`, status: 'active' as const })));

// Each step starts the CLI as its own process (1.5–2 s apiece here, more while
// other test files share the two cores): a longer guard than the default.
describe('paperboy send', { timeout: 120_000 }, () => {
  it('without Redis: sends the pass in the command and prints the figures; a second pass plans nothing', async () => {
    await addActive('inline', 3);
    const first = await runPaperboy(['send', '--date', '2025-12-16', '--wait'], env());
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('planned 3 · sent 3 · skipped 0 · failed 0');
    // Not a terminal: progress comes as plain lines, on stderr.
    expect(first.stderr).toMatch(/^deliveries: 3\/3 \(\d+\/s, ETA 0s\)$/m);
    await expect.poll(() => sink.envelopes.filter((e) => e.to[0]!.startsWith('inline')).length).toBe(3);
    const again = await runPaperboy(['send', '--date', '2025-12-16', '--wait'], env());
    expect(again.stdout.trim()).toBe('planned 0 · sent 0 · skipped 0 · failed 0');
  });

  it('with Redis: hands the pass to the workers, and --wait follows it to the end', async () => {
    await database.db.execute(sql`TRUNCATE subscribers CASCADE`);
    await addActive('queued', 4);
    const prefix = `pbsend-${randomUUID().slice(0, 8)}`;
    const config = loadConfig({ ...env(), SECRET: 's'.repeat(40) });
    const mailer = createSmtpMailer({ url: sink.url, from: config.MAIL_FROM });
    const workers = await startWorkers(
      { config, db: database.db, log: silentLogger, mailer, secrets: { current: config.SECRET! }, now: () => new Date() },
      { connection: { url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: null }, prefix, schedule: false },
    );
    try {
      const r = await runPaperboy(['send', '--date', '2025-12-17', '--wait'], { ...env(), REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix });
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n').at(-1)).toBe('planned 4 · sent 4 · skipped 0 · failed 0');
      await expect.poll(() => sink.envelopes.filter((e) => e.to[0]!.startsWith('queued')).length).toBe(4);
    } finally {
      await workers.close();
      await mailer.close();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('rejects a bad date in one line', async () => {
    const r = await runPaperboy(['send', '--date', 'tomorrow'], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
