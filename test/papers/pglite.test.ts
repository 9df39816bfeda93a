/**
 * The embedded default: the same migrations and repository code on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { topicCounts, topPapers, countPapers } from '../../src/papers/queries.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ pgliteDir: 'memory://' });
  await migrateDatabase(database);
});
afterAll(() => database.close());

describe('PGlite', () => {
  it('migrates idempotently', async () => {
    await expect(migrateDatabase(database)).resolves.toBeUndefined();
  });

  it('ingests the seed file, idempotently, and ranks it', async () => {
    const source = fileSource('seeds/papers.json');
    const first = await runIngest({ db: database.db, source, days: [undefined] });
    expect(first.new).toBe(first.fetched - first.skipped);
    expect(first.new).toBeGreaterThan(150);
    const second = await runIngest({ db: database.db, source, days: [undefined] });
    expect(second).toMatchObject({ new: 0, updated: 0, unchanged: first.new });
    expect(await countPapers(database.db)).toBe(first.new);

    const top = await topPapers(database.db, { now: new Date('2025-12-16T00:00:00Z'), gravity: 1.5, days: 10, limit: 5 });
    expect(top.length).toBeGreaterThan(0);
    for (let i = 1; i < top.length; i++) expect(top[i - 1]!.score).toBeGreaterThanOrEqual(top[i]!.score);
    const counts = await topicCounts(database.db);
    expect(counts.llm).toBeGreaterThan(0);
  });
});
