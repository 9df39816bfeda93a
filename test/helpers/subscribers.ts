/** Subscribers in given states for API tests, through the API itself, with tokens to act on them. */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { signToken, type TokenPurpose } from '../../src/subscribers/tokens.ts';
import { TEST_SECRET, type TestApp } from './app.ts';

const secrets = { current: TEST_SECRET };
let n = 0;

/** A new pending subscriber; returns its id and a token maker. */
export async function pendingSubscriber(t: TestApp, prefs: Record<string, unknown> = {}) {
  const email = `links-${++n}-${Date.now()}@example.org`;
  await t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, ...prefs } });
  const [row] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM subscribers WHERE email = ${email}`);
  const id = row!.id;
  return { id, email, token: (purpose: TokenPurpose, at = t.clock.now) => signToken(secrets, purpose, id, at) };
}

export async function activeSubscriber(t: TestApp, prefs: Record<string, unknown> = {}) {
  const s = await pendingSubscriber(t, prefs);
  const res = await t.app.inject({ method: 'POST', url: '/api/subscriptions/confirm', payload: { token: s.token('confirm') } });
  expect(res.json()).toEqual({ status: 'active' });
  return s;
}

export const statusOf = async (t: TestApp, id: string) =>
  (await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM subscribers WHERE id = ${id}`))[0]?.status;

export const auditOf = async (t: TestApp, id: string) =>
  queryRows<{ action: string; via: string }>(t.database.db, sql`SELECT action, via FROM audit_events WHERE subscriber_id = ${id} ORDER BY id`);
