/**
 * What the send tests share: a database of their own, a real SMTP server in
 * its own process (smtp-sink.ts), and the job context a worker builds (the
 * real configuration loader and SMTP mailer), with short retry pauses.
 */
import type { Db } from '../../src/db/client.ts';
import { loadConfig } from '../../src/config.ts';
import type { JobContext } from '../../src/jobs/context.ts';
import { silentLogger } from '../../src/log.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { createTestDatabase } from './postgres.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

export interface SendSetup {
  database: Awaited<ReturnType<typeof createTestDatabase>>;
  sink: SmtpSink;
  ctx: JobContext;
  close(): Promise<void>;
}

export async function startSendSetup(opts: { secret: string; env?: Record<string, string>; seed?: (db: Db) => Promise<unknown> }): Promise<SendSetup> {
  const [database, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  await opts.seed?.(database.db);
  const config = loadConfig({
    DATABASE_URL: database.url,
    SECRET: opts.secret,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Daily Papers <digest@papers.example.org>',
    PUBLIC_URL: 'https://papers.example.org',
    ...opts.env,
  });
  const mailer = createSmtpMailer({ url: sink.url, from: config.MAIL_FROM });
  const ctx: JobContext = { config, db: database.db, log: silentLogger, mailer, secrets: { current: opts.secret }, now: () => new Date(), retryDelayMs: 100, relayPauseMs: 200 };
  return {
    database,
    sink,
    ctx,
    async close() {
      await mailer.close();
      await Promise.all([sink.close(), database.drop()]);
    },
  };
}
