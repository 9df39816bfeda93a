/**
 * An app on a fresh Postgres database for API tests, with a recording mailer
 * (a plain object through the deps: the real transports have their own tests)
 * and a clock the test can move.
 */
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { Mailer, OutgoingMail } from '../../src/mail/mailer.ts';
import type { SubscribeLimit } from '../../src/api/rate-limit.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

export const TEST_SECRET = 's'.repeat(40);

export interface RecordingMailer extends Mailer {
  sent: OutgoingMail[];
}

export function recordingMailer(): RecordingMailer {
  const sent: OutgoingMail[] = [];
  return {
    kind: 'outbox',
    sent,
    async send(mail) {
      sent.push(mail);
      return { messageId: mail.messageId ?? `<${sent.length}@test>`, response: 'recorded' };
    },
    async sendRaw() {
      throw new Error('the API does not send raw messages');
    },
    async close() {},
  };
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  config: Config;
  mailer: RecordingMailer;
  clock: { now: Date };
  /** Waits for confirmation mails sent off the request path. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createTestApp(opts: { env?: Record<string, string>; limit?: SubscribeLimit; mailer?: Mailer } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SECRET: TEST_SECRET,
    PUBLIC_URL: 'http://paperboy.test',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const mailer = recordingMailer();
  const clock = { now: new Date('2025-12-16T09:00:00Z') };
  const app = await buildApp({
    config,
    db: database.db,
    log: silentLogger,
    mailer: opts.mailer ?? mailer,
    now: () => clock.now,
    subscriptions: { subscribeLimit: opts.limit ?? { max: 1000, windowMs: 60_000 } },
  });
  await app.ready();
  return {
    app,
    database,
    config,
    mailer,
    clock,
    drain: () => app.subscribers.confirmations.drain(),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
