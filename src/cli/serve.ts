/**
 * `paperboy serve`: the web server (API and pages) until SIGTERM or SIGINT,
 * saying where to look. `paperboy start` also runs the jobs in this process.
 */
import type { Command } from 'commander';
import type { Database } from '../db/client.ts';
import { createLogger, type Logger } from '../log.ts';
import { outboxDir } from '../mail/create-mailer.ts';
import { untilSignal } from './until-signal.ts';
import { cliConfig } from './context.ts';

export interface ServeOptions {
  prepare?: (database: Database, log: Logger) => Promise<void>;
  /** Also run the ingest, plan and send jobs here, on the server's database handle. */
  jobs?: boolean;
}

export async function serve(opts: ServeOptions = {}): Promise<void> {
  const config = cliConfig();
  const log = createLogger(config.LOG_LEVEL, { name: 'paperboy' });
  const prepare = opts.prepare ? (database: Database) => opts.prepare!(database, log) : undefined;
  // Loaded here, not at the top: every `paperboy` command loads this file, and
  // only serve and start need the web stack.
  const { startServer } = await import('../server.ts');
  const server = await startServer({ config, log, prepare });
  // The jobs share the server's database handle (on PGlite: its pool into the one session it serves).
  const jobs = opts.jobs ? await (await import('../worker.ts')).startJobs({ config, db: server.database.db, log, mailer: server.mailer, metrics: server.metrics }) : undefined;
  const lines = [
    `paperboy is running: open ${config.publicUrl}/ in your browser (listening on ${server.address}, API docs at ${config.publicUrl}/docs)`,
    `database: ${server.database.kind} at ${server.database.location}`,
    server.mailer.kind === 'outbox'
      ? `emails are not sent: they are written to ${outboxDir(config)} (.eml for a mail client, .html for a browser)`
      : 'emails are sent through SMTP_URL',
    ...(jobs
      ? [
          jobs.mode === 'inline'
            ? `jobs run in this process: papers ingested on "${config.INGEST_CRON}", digests planned and sent on "${config.PLAN_CRON}" (cron, UTC)`
            : 'jobs run in this process as BullMQ workers (REDIS_URL)',
        ]
      : []),
    'stop with Ctrl-C',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await untilSignal(log);
  // Jobs first: sends in flight finish while the mailer and database are still open.
  await jobs?.close();
  await server.close();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web server: subscribe pages, JSON API, /docs (HOST, PORT, PUBLIC_URL)')
    .action(() => serve());
}
