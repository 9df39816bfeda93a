/** `paperboy worker`: ingest, plan and send jobs until SIGTERM (finishing sends in flight). */
import type { Command } from 'commander';
import { databaseOptionsFromConfig, openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { createMailer } from '../mail/create-mailer.ts';
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
      const database = await openDatabase(databaseOptionsFromConfig(config));
      await migrateDatabase(database);
      const mailer = createMailer(config);
      const jobs = await startJobs({ config, db: database.db, log, mailer });
      log.info({ mode: jobs.mode, database: database.kind, mail: mailer.kind }, 'worker started');
      await untilSignal(log);
      await jobs.close();
      await mailer.close();
      await database.close();
    });
}
