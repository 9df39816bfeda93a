import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../src/subscribers/tokens.ts';

const secrets = { current: 'a'.repeat(40) };
const id = '0b6f1f5e-7f1c-4c1e-9a51-2d8f6f0a9c11';
const at = new Date('2025-12-08T07:00:00Z');

describe('tokens', () => {
  it('round-trips the subscriber id and issue time', () => {
    const t = signToken(secrets, 'unsubscribe', id, at);
    expect(verifyToken(secrets, 'unsubscribe', t, at)).toEqual({ ok: true, subscriberId: id, issuedAt: at });
  });

  it('refuses a token of another purpose', () => {
    const t = signToken(secrets, 'preferences', id, at);
    expect(verifyToken(secrets, 'unsubscribe', t, at)).toEqual({ ok: false, reason: 'wrong_purpose' });
  });

  it('expires confirm tokens after 48 hours, not the others', () => {
    const c = signToken(secrets, 'confirm', id, at);
    const later = new Date(at.getTime() + 48 * 3_600_000 + 1000);
    expect(verifyToken(secrets, 'confirm', c, new Date(at.getTime() + 47 * 3_600_000)).ok).toBe(true);
    expect(verifyToken(secrets, 'confirm', c, later)).toEqual({ ok: false, reason: 'expired' });
    const u = signToken(secrets, 'unsubscribe', id, at);
    expect(verifyToken(secrets, 'unsubscribe', u, new Date(at.getTime() + 400 * 86_400_000)).ok).toBe(true);
  });

  it('refuses forged, truncated and odd tokens', () => {
    const t = signToken(secrets, 'unsubscribe', id, at);
    const other = signToken({ current: 'b'.repeat(40) }, 'unsubscribe', id, at);
    expect(verifyToken(secrets, 'unsubscribe', other, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyToken(secrets, 'unsubscribe', t.slice(0, -3), at).ok).toBe(false);
    expect(verifyToken(secrets, 'unsubscribe', t.split('.')[0], at)).toEqual({ ok: false, reason: 'malformed' });
    for (const odd of ['', '.', 'a.b', '☃.☃', 'x'.repeat(1000), null, 42, `${t}.extra`]) {
      expect(verifyToken(secrets, 'unsubscribe', odd, at).ok).toBe(false);
    }
    // A payload swapped under a valid signature fails the MAC.
    const [, sig] = t.split('.');
    const forged = `${Buffer.from(`unsubscribe.${id.replace('0b', '0c')}.1765177200`).toString('base64url')}.${sig}`;
    expect(verifyToken(secrets, 'unsubscribe', forged, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts tokens signed with SECRET_PREVIOUS after a rotation', () => {
    const old = signToken({ current: 'o'.repeat(40) }, 'preferences', id, at);
    expect(verifyToken({ current: 'n'.repeat(40), previous: 'o'.repeat(40) }, 'preferences', old, at).ok).toBe(true);
    expect(verifyToken({ current: 'n'.repeat(40) }, 'preferences', old, at).ok).toBe(false);
  });
});
