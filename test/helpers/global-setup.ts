import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { adminQuery, urlFor } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Migrates a template database once per test run (see postgres.ts). Its name
 * is unique to the run, so two runs on one Postgres (a developer's and CI's)
 * never drop each other's template; it is dropped when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `paperboy_tpl_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ url: urlFor(name), poolSize: 1 });
  try {
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
  project.provide('templateDb', name);
  return () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
