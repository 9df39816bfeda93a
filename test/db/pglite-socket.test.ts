/**
 * The embedded database shared over its socket: many connections, one PGlite
 * session. Parameterised queries from two pools at once each get their own
 * answer (the unnamed prepared statement is never clobbered), a transaction
 * on one connection never takes in another connection's statements, and a
 * client that dies inside a transaction leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

let dir: string;
let owner: Database;
let other: Database;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-sock-'));
  owner = await openDatabase({ pgliteDir: path.join(dir, 'pglite'), embedded: 'serve' });
  await migrateDatabase(owner);
  // Another opener of the same folder joins through the socket.
  other = await openDatabase({ pgliteDir: path.join(dir, 'pglite') });
  await owner.pool!.query('CREATE TABLE t (v text)');
});
afterAll(async () => {
  await other?.close();
  await owner?.close();
  await rm(dir, { recursive: true, force: true });
});

it('reaches the served database through node-postgres from every opener', () => {
  expect(owner.pool).toBeDefined();
  expect(other.pool).toBeDefined();
  expect(other.location).toMatch(/opened by the socket served by pid \d+/);
});

it('answers concurrent parameterised queries of different shapes from two pools, each its own', async () => {
  const a = Array.from({ length: 150 }, (_, i) => owner.pool!.query('SELECT $1::int * 2 AS n', [i]));
  const b = Array.from({ length: 150 }, (_, i) => other.pool!.query('SELECT $1::text AS t, $2::int AS m, $3::bool AS f', [`x${i}`, i, i % 2 === 0]));
  const [ra, rb] = await Promise.all([Promise.all(a), Promise.all(b)]);
  expect(ra.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 150 }, (_, i) => i * 2));
  expect(rb.map((r) => r.rows[0])).toEqual(Array.from({ length: 150 }, (_, i) => ({ t: `x${i}`, m: i, f: i % 2 === 0 })));
});

it('keeps a transaction to its own connection: the other writes outside it, and a rollback undoes only its own', async () => {
  const tx = await owner.pool!.connect();
  try {
    await tx.query('BEGIN');
    await tx.query('INSERT INTO t VALUES ($1)', ['in-tx']);
    // Queued until the transaction ends, then committed on its own.
    const outside = other.pool!.query('INSERT INTO t VALUES ($1)', ['outside']);
    await tx.query('INSERT INTO t VALUES ($1)', ['in-tx-2']);
    await tx.query('ROLLBACK');
    await outside;
  } finally {
    tx.release();
  }
  expect((await other.pool!.query('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v)).toEqual(['outside']);
});

it('rolls back what a client that vanished inside a transaction left open, and serves the others on', async () => {
  const lost = new pg.Client({ host: path.join(dir, 'pglite-socket'), port: 5432, user: 'postgres', database: 'postgres' });
  lost.on('error', () => {});
  await lost.connect();
  await lost.query('BEGIN');
  await lost.query("INSERT INTO t VALUES ('lost')");
  // The connection drops without COMMIT (a killed process).
  (lost as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await other.pool!.query("INSERT INTO t VALUES ('after')");
  expect((await owner.pool!.query('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v)).toEqual(['after', 'outside']);
});
