/**
 * The API process: open the database (migrated), Redis when configured and the
 * mail transport, build the app and listen. `close()` shuts down in order:
 * stop taking requests and finish those in flight (including confirmation
 * mails already accepted), then the mailer, Redis and the database.
 */
import { Redis } from 'ioredis';
import { buildApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { databaseOptionsFromConfig, openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import type { Logger } from './log.ts';
import { createMailer } from './mail/create-mailer.ts';
import type { Mailer } from './mail/mailer.ts';
import { createMetrics, type Metrics } from './metrics/registry.ts';

/**
 * Auto-pipelining sends the commands of concurrent requests (one rate-limit
 * check each) in one write: fewer syscalls under load, same answers.
 */
export const redisOptions = { maxRetriesPerRequest: 2, enableAutoPipelining: true } as const;

export interface RunningServer {
  app: App;
  database: Database;
  mailer: Mailer;
  redis?: Redis;
  /** The process's metrics: jobs started beside the server count into it too. */
  metrics: Metrics;
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  address: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  config: Config;
  log: Logger;
  /** Runs after migration, before listening (e.g. `start` loads the seed papers). */
  prepare?: (database: Database) => Promise<void>;
}

export async function startServer({ config, log, prepare }: ServerOptions): Promise<RunningServer> {
  const database = await openDatabase(databaseOptionsFromConfig(config, 'serve'));
  const cleanup: (() => Promise<unknown>)[] = [() => database.close()];
  const closeAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch((err) => log.error({ err }, 'error while shutting down'));
  };
  try {
    await migrateDatabase(database);
    await prepare?.(database);
    const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, redisOptions) : undefined;
    if (redis) {
      redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
      cleanup.push(() => redis.quit());
    }
    const mailer = createMailer(config, log);
    cleanup.push(() => mailer.close());
    const metrics = createMetrics({ processMetrics: true });
    const app = await buildApp({ config, db: database.db, log, mailer, redis, metrics });
    cleanup.push(() => app.close());
    const address = await app.listen({ host: config.HOST, port: config.PORT });
    return { app, database, mailer, redis, metrics, address, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
