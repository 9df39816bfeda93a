/**
 * What every command that touches data needs: validated config, a logger, an
 * open and migrated database. Commands call `withContext` and never think
 * about cleanup.
 */
import { loadConfig, type Config } from '../config.ts';
import { databaseOptionsFromConfig, openDatabase, type Database } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger, type Logger } from '../log.ts';

export interface CliContext {
  config: Config;
  log: Logger;
  database: Database;
}

export function cliConfig(): Config {
  return loadConfig(process.env);
}

export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = cliConfig();
  // Commands print their own results on stdout; logs go to stderr at warn+ by default.
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', { pretty: Boolean(process.stderr.isTTY) });
  const database = await openDatabase(databaseOptionsFromConfig(config));
  try {
    await migrateDatabase(database);
    return await fn({ config, log, database });
  } finally {
    await database.close();
  }
}
