/**
 * `paperboy bounces`: the inbound SMTP endpoint for BOUNCE_ADDRESS on its own
 * (`paperboy worker` also runs it when BOUNCE_SMTP_PORT is set), with its
 * counters on METRICS_PORT, until SIGTERM.
 */
import type { Command } from 'commander';
import { startBounceServer } from '../bounces/inbound-smtp.ts';
import { databaseOptionsFromConfig, openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { createMetrics } from '../metrics/registry.ts';
import { cliConfig } from './context.ts';
import { untilSignal } from './until-signal.ts';

export function registerBounces(program: Command): void {
  program
    .command('bounces')
    .description('receive bounce notices (RFC 3464) and complaints (ARF) for BOUNCE_ADDRESS by SMTP on BOUNCE_SMTP_PORT, until SIGTERM')
    .option('--port <n>', 'listen here instead of BOUNCE_SMTP_PORT (0: any free port)')
    .action(async (opts: { port?: string }) => {
      const config = cliConfig();
      if (!config.BOUNCE_ADDRESS) throw new Error('BOUNCE_ADDRESS is not set: there is no address to receive bounces for');
      const port = opts.port !== undefined ? Number(opts.port) : config.BOUNCE_SMTP_PORT;
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${opts.port}`);
      if (opts.port === undefined && !port) throw new Error('BOUNCE_SMTP_PORT is not set (or use --port)');
      const log = createLogger(config.LOG_LEVEL, { name: 'paperboy-bounces' });
      const database = await openDatabase(databaseOptionsFromConfig(config));
      await migrateDatabase(database);
      const metrics = createMetrics({ processMetrics: true });
      const server = await startBounceServer({ db: database.db, config, log, metrics: metrics.bounces, bounceAddress: config.BOUNCE_ADDRESS, host: config.HOST, port });
      const metricsServer = config.METRICS_PORT ? await startMetricsServer(metrics.registry, { host: config.HOST, port: config.METRICS_PORT, log }) : undefined;
      await untilSignal(log);
      await metricsServer?.close();
      await server.close();
      await database.close();
    });
}
