/**
 * The admin's browser session: a cookie holding a random session id and an
 * expiry, HMAC-signed with a key derived from SECRET and ADMIN_TOKEN (so
 * changing the token logs every browser out). Logging out records the id in
 * admin_session_revocations, so a copy of the cookie stops working too, on
 * every API process. The CSRF token for the session's
 * forms is an HMAC of the session id: a page can only carry it if it was served
 * to that session, and a cross-site form cannot read it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { adminSessionRevocations } from '../db/schema.ts';

export const SESSION_COOKIE = 'paperboy_admin';
export const SESSION_TTL_SECONDS = 12 * 3600;

export interface AdminSession {
  id: string;
  expiresAt: Date;
}

const keyFor = (secret: string, adminToken: string | undefined) =>
  createHmac('sha256', secret).update(`admin-session.${adminToken ?? ''}`).digest();

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}


export function createSession(secret: string, adminToken: string | undefined, now: Date): { session: AdminSession; cookie: string } {
  const id = randomBytes(18).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  const payload = `${id}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return { session: { id, expiresAt }, cookie: `${payload}.${mac(keyFor(secret, adminToken), payload)}` };
}

export function verifySession(secret: string, adminToken: string | undefined, cookie: string | undefined, now: Date): AdminSession | null {
  if (!cookie || cookie.length > 200) return null;
  const m = /^([\w-]{24})\.(\d{1,12})\.([\w-]{43})$/.exec(cookie);
  if (!m) return null;
  const [, id, exp, signature] = m as unknown as [string, string, string, string];
  if (!sameString(mac(keyFor(secret, adminToken), `${id}.${exp}`), signature)) return null;
  const expiresAt = new Date(Number(exp) * 1000);
  return expiresAt > now ? { id, expiresAt } : null;
}

export function csrfToken(secret: string, session: AdminSession): string {
  return mac(createHmac('sha256', secret).update('admin-csrf').digest(), session.id);
}

export function csrfMatches(secret: string, session: AdminSession, given: unknown): boolean {
  return typeof given === 'string' && sameString(csrfToken(secret, session), given);
}

/** Ends a session for good; also forgets sessions that have expired anyway. */
export async function revokeSession(db: Db, session: AdminSession, now: Date): Promise<void> {
  await db.insert(adminSessionRevocations).values({ sessionId: session.id, expiresAt: session.expiresAt }).onConflictDoNothing();
  await db.delete(adminSessionRevocations).where(lt(adminSessionRevocations.expiresAt, now));
}

export async function isRevoked(db: Db, session: AdminSession): Promise<boolean> {
  const rows = await db
    .select({ id: adminSessionRevocations.sessionId })
    .from(adminSessionRevocations)
    .where(eq(adminSessionRevocations.sessionId, session.id))
    .limit(1);
  return rows.length > 0;
}
