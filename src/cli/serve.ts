/**
 * `paperboy serve`: the web server (API and pages) until SIGTERM or SIGINT,
 * saying where to look.
 */
import type { Command } from 'commander';
import type { Database } from '../db/client.ts';
import { createLogger, type Logger } from '../log.ts';
import { outboxDir } from '../mail/create-mailer.ts';
import { untilSignal } from './until-signal.ts';
import { cliConfig } from './context.ts';

export async function serve(opts: { prepare?: (database: Database, log: Logger) => Promise<void> } = {}): Promise<void> {
  const config = cliConfig();
  const log = createLogger(config.LOG_LEVEL, { name: 'paperboy' });
  const prepare = opts.prepare ? (database: Database) => opts.prepare!(database, log) : undefined;
  // Loaded here, not at the top: every `paperboy` command loads this file, and
  // only serve and start need the web stack.
  const { startServer } = await import('../server.ts');
  const server = await startServer({ config, log, prepare });
  const lines = [
    `paperboy is running: open ${config.publicUrl}/ in your browser (listening on ${server.address}, API docs at ${config.publicUrl}/docs)`,
    `database: ${server.database.kind} at ${server.database.location}`,
    server.mailer.kind === 'outbox'
      ? `emails are not sent: they are written to ${outboxDir(config)} (.eml for a mail client, .html for a browser)`
      : 'emails are sent through SMTP_URL',
    'stop with Ctrl-C',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await untilSignal(log);
  await server.close();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web server: subscribe pages, JSON API, /docs (HOST, PORT, PUBLIC_URL)')
    .action(() => serve());
}
