/**
 * Signed, stateless tokens for links in emails.
 *
 *   token = base64url(purpose . subscriberId . issuedAt) "." base64url(HMAC-SHA256)
 *
 * The MAC covers the purpose, so a preferences token is refused where an
 * unsubscribe token is expected. Verification tries SECRET, then
 * SECRET_PREVIOUS, so links already sent survive a key rotation; comparison is
 * constant-time. Confirm tokens expire after 48 hours; the others live as long
 * as the subscriber (an unsubscribe link in a year-old email must still work).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const tokenPurposes = ['confirm', 'preferences', 'unsubscribe'] as const;
export type TokenPurpose = (typeof tokenPurposes)[number];

const MAX_AGE_MS: Record<TokenPurpose, number | null> = {
  confirm: 48 * 3_600_000,
  preferences: null,
  unsubscribe: null,
};

export interface TokenSecrets {
  current: string;
  previous?: string;
}

export type TokenCheck =
  | { ok: true; subscriberId: string; issuedAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export function signToken(secrets: TokenSecrets, purpose: TokenPurpose, subscriberId: string, issuedAt = new Date()): string {
  const payload = `${purpose}.${subscriberId}.${Math.floor(issuedAt.getTime() / 1000)}`;
  return `${Buffer.from(payload).toString('base64url')}.${mac(secrets.current, payload).toString('base64url')}`;
}

export function verifyToken(secrets: TokenSecrets, expected: TokenPurpose, token: unknown, now = new Date()): TokenCheck {
  if (typeof token !== 'string' || token.length > 300 || !/^[\w-]+\.[\w-]+$/.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const [encoded, signature] = token.split('.') as [string, string];
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const parts = payload.split('.');
  const given = Buffer.from(signature, 'base64url');
  if (parts.length !== 3 || given.length !== 32) return { ok: false, reason: 'malformed' };
  const [purpose, subscriberId, issued] = parts as [string, string, string];
  const signedBy = [secrets.current, secrets.previous].filter((s): s is string => Boolean(s));
  if (!signedBy.some((secret) => timingSafeEqual(mac(secret, payload), given))) return { ok: false, reason: 'bad_signature' };
  if (purpose !== expected) return { ok: false, reason: 'wrong_purpose' };
  if (!UUID.test(subscriberId) || !/^\d{1,12}$/.test(issued)) return { ok: false, reason: 'malformed' };
  const issuedAt = new Date(Number(issued) * 1000);
  const maxAge = MAX_AGE_MS[expected];
  if (maxAge !== null && now.getTime() - issuedAt.getTime() > maxAge) return { ok: false, reason: 'expired' };
  return { ok: true, subscriberId, issuedAt };
}
