import type { Command } from 'commander';
import { withContext } from './context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (safe to run again)')
    .action(() =>
      withContext(async ({ database }) => {
        // withContext has already migrated; say where.
        console.log(`migrated ${database.kind} database at ${database.location}`);
      }),
    );
}
