/** `paperboy worker`: ingest, plan and send jobs until SIGTERM (finishing sends in flight). */
import type { Command } from 'commander';
import { databaseOptionsFromConfig, openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { startBounceServer } from '../bounces/inbound-smtp.ts';
import { createMailer } from '../mail/create-mailer.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { createMetrics } from '../metrics/registry.ts';
import { untilSignal } from './until-signal.ts';
import { startJobs } from '../worker.ts';
import { cliConfig } from './context.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the ingest, plan and send jobs (BullMQ with REDIS_URL, in-process otherwise) until SIGTERM')
    .action(async () => {
      const config = cliConfig();
      const log = createLogger(config.LOG_LEVEL, { name: 'paperboy-worker' });
      const database = await openDatabase(databaseOptionsFromConfig(config, 'serve-or-join'));
      await migrateDatabase(database);
      const mailer = createMailer(config, log);
      // The counters of the work done here; the state gauges are the API's /metrics.
      const metrics = createMetrics({ processMetrics: true });
      const jobs = await startJobs({ config, db: database.db, log, mailer, metrics });
      // The bounce endpoint beside the jobs when BOUNCE_SMTP_PORT is set (or on its own: `paperboy bounces`).
      const bounces =
        config.BOUNCE_ADDRESS && config.BOUNCE_SMTP_PORT
          ? await startBounceServer({ db: database.db, config, log, metrics: metrics.bounces, bounceAddress: config.BOUNCE_ADDRESS, host: config.HOST, port: config.BOUNCE_SMTP_PORT })
          : undefined;
      const server = config.METRICS_PORT ? await startMetricsServer(metrics.registry, { host: config.HOST, port: config.METRICS_PORT, log, token: config.METRICS_TOKEN }) : undefined;
      log.info({ mode: jobs.mode, database: database.kind, mail: mailer.kind, metricsPort: server?.port, bouncePort: bounces?.port }, 'worker started');
      await untilSignal(log);
      await server?.close();
      await bounces?.close();
      await jobs.close();
      await mailer.close();
      await database.close();
    });
}
