/**
 * subscribe() coalesces the requests of one event-loop turn into one
 * statement; each request must still get exactly the outcome it would alone.
 * Against the real Postgres, and once on PGlite.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { queryRows } from '../../src/db/rows.ts';
import type { ConfirmationQueue } from '../../src/subscribers/confirm-mail.ts';
import type { SubscriberDeps } from '../../src/subscribers/deps.ts';
import { defaultPreferences } from '../../src/subscribers/preferences.ts';
import { subscribe } from '../../src/subscribers/subscribe.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

function depsFor(database: Database) {
  const sent: string[] = [];
  const confirmations: ConfirmationQueue = { enqueue: ({ email }) => void sent.push(email), drain: async () => {} };
  const deps: SubscriberDeps = { db: database.db, secrets: { current: 'x'.repeat(40) }, now: () => new Date('2025-12-16T09:00:00Z'), confirmations };
  return { deps, sent };
}

const prefs = (sendHour = 7) => ({ ...defaultPreferences, topics: ['llm' as const], keywords: ['moe'], sendHour });

function batchingSuite(name: string, open: () => Promise<Database & { drop?: () => Promise<void> }>) {
  describe(name, () => {
    let database: Database & { drop?: () => Promise<void> };
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => (database.drop ? database.drop() : database.close()));

    it('stores every address of a concurrent burst, each with its audit event and one confirmation', async () => {
      const { deps, sent } = depsFor(database);
      const emails = Array.from({ length: 50 }, (_, i) => `burst-${i}@example.org`);
      const results = await Promise.all(emails.map((email, i) => subscribe(deps, { email, preferences: prefs(i % 24) }, 'api')));
      expect(results.every((r) => r.subscriberId && r.confirmationSent)).toBe(true);
      expect(new Set(results.map((r) => r.subscriberId)).size).toBe(50);
      expect(sent.sort()).toEqual([...emails].sort());
      const rows = await queryRows<{ email: string; send_hour: number; actions: string[] }>(database.db, sql`
        SELECT s.email, s.send_hour, array_agg(a.action) AS actions FROM subscribers s JOIN audit_events a ON a.subscriber_id = s.id
        WHERE s.email LIKE 'burst-%' GROUP BY s.email, s.send_hour`);
      expect(rows).toHaveLength(50);
      for (const r of rows) {
        expect(r.send_hour).toBe(Number(r.email.match(/burst-(\d+)/)![1]) % 24);
        expect(r.actions).toEqual(['subscribed']);
      }
    });

    it('treats one address twice in a burst as two requests in a row: one subscriber, one confirmation', async () => {
      const { deps, sent } = depsFor(database);
      const [a, b] = await Promise.all([
        subscribe(deps, { email: 'twice@example.org', preferences: prefs(5) }, 'api'),
        subscribe(deps, { email: 'TWICE@example.org', preferences: prefs(6) }, 'page'),
      ]);
      expect(a).toEqual({ subscriberId: expect.any(String), confirmationSent: true });
      expect(b).toEqual({ subscriberId: a.subscriberId, confirmationSent: false });
      expect(sent).toEqual(['twice@example.org']);
      const audit = await queryRows<{ action: string; via: string }>(database.db, sql`
        SELECT action, via FROM audit_events WHERE subscriber_id = ${a.subscriberId} ORDER BY id`);
      expect(audit).toEqual([{ action: 'subscribed', via: 'api' }, { action: 'subscribed_again', via: 'page' }]);
      const [row] = await queryRows<{ send_hour: number }>(database.db, sql`SELECT send_hour FROM subscribers WHERE id = ${a.subscriberId}`);
      expect(row?.send_hour).toBe(6);
    });

    it('fails only the request that cannot be stored, not the others of its burst', async () => {
      const { deps } = depsFor(database);
      const results = await Promise.allSettled([
        subscribe(deps, { email: 'fine-1@example.org', preferences: prefs() }, 'api'),
        // Past smallint: the database refuses it (the API's validation never lets it through).
        subscribe(deps, { email: 'broken@example.org', preferences: prefs(70_000) }, 'api'),
        subscribe(deps, { email: 'fine-2@example.org', preferences: prefs() }, 'api'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const emails = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM subscribers WHERE email IN ('fine-1@example.org', 'broken@example.org', 'fine-2@example.org') ORDER BY email`);
      expect(emails.map((e) => e.email)).toEqual(['fine-1@example.org', 'fine-2@example.org']);
    });
  });
}

batchingSuite('subscribe bursts on Postgres', createTestDatabase);
batchingSuite('subscribe bursts on PGlite', async () => {
  const database = await openDatabase({ pgliteDir: 'memory://' });
  await migrateDatabase(database);
  return database;
});
