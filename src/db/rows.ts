import type { SQL } from 'drizzle-orm';
import type { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './client.ts';
import { namesStatements, queryPrepared } from './prepared.ts';

/**
 * Runs raw SQL and returns its rows. node-postgres and PGlite both answer with
 * `{ rows }`, but drizzle's shared PgDatabase type cannot know which driver it
 * has, so the cast lives here once.
 *
 * `name`: a statement the send path runs for every batch. On a Postgres
 * server it then runs as a named prepared statement (prepared.ts): each
 * pooled connection parses and plans it once instead of on every call (a
 * send batch's claim, outcome and reads are multi-CTE statements over
 * arrays, where that work rivals the execution). PGlite, one session for
 * every caller, runs it as any other statement (a name made by one caller
 * would clash with another's).
 */
export async function queryRows<T>(db: Db, query: SQL, name?: string): Promise<T[]> {
  if (name && namesStatements(db)) {
    const { sql: text, params } = (db as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query);
    return queryPrepared<T>(db, { name: statementName(name, text), text }, params);
  }
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** One name per statement text: node-postgres refuses a name reused with other text. */
const names = new Map<string, string>();

function statementName(name: string, text: string): string {
  let named = names.get(text);
  if (!named) {
    // A name's text is fixed by its call site; a bound here only guards against a caller building texts without end.
    if (names.size >= 1000) throw new Error(`more than 1000 distinct named statements (last: ${name}): a named statement's text must not vary`);
    named = `pb_${name}_${names.size}`;
    names.set(text, named);
  }
  return named;
}
