import type { SQL } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Runs raw SQL and returns its rows. node-postgres and PGlite both answer with
 * `{ rows }`, but drizzle's shared PgDatabase type cannot know which driver it
 * has, so the cast lives here once.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
