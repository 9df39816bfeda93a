/**
 * Signed feedback tokens: the same HMAC-SHA256 scheme as
 * src/subscribers/tokens.ts (SECRET, then SECRET_PREVIOUS; constant-time
 * comparison), over a payload that also names the action and the paper, so a
 * "more" link cannot be turned into a "follow" or moved to another paper.
 *
 *   token = base64url(JSON [action, subscriberId, paperId, issuedAt, target?]) "." base64url(HMAC)
 *
 * The MAC is keyed with a purpose prefix ("feedback:") so no subscriber token
 * (confirm, preferences, unsubscribe) is ever accepted here, nor the reverse.
 * Feedback tokens do not expire: a More like this in last month's email still works.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenSecrets } from '../subscribers/tokens.ts';

export const feedbackActions = ['more', 'less', 'follow', 'click'] as const;
export type FeedbackAction = (typeof feedbackActions)[number];
export const followKinds = ['organisation', 'author'] as const;
export type FollowKind = (typeof followKinds)[number];

export interface FeedbackClaim {
  action: FeedbackAction;
  subscriberId: string;
  paperId: string;
  /** For follow: what to follow. */
  target?: { kind: FollowKind; value: string };
}

export type FeedbackCheck = ({ ok: true; issuedAt: Date } & FeedbackClaim) | { ok: false; reason: 'malformed' | 'bad_signature' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PURPOSE = 'feedback:';
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(PURPOSE + payload).digest();

export function signFeedback(secrets: TokenSecrets, claim: FeedbackClaim, issuedAt = new Date()): string {
  const fields: unknown[] = [claim.action, claim.subscriberId, claim.paperId, Math.floor(issuedAt.getTime() / 1000)];
  if (claim.target) fields.push(claim.target.kind, claim.target.value);
  const payload = JSON.stringify(fields);
  return `${Buffer.from(payload).toString('base64url')}.${mac(secrets.current, payload).toString('base64url')}`;
}

export function verifyFeedback(secrets: TokenSecrets, token: unknown): FeedbackCheck {
  if (typeof token !== 'string' || token.length > 1000 || !/^[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const [encoded, signature] = token.split('.') as [string, string];
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== 32) return { ok: false, reason: 'malformed' };
  const signedBy = [secrets.current, secrets.previous].filter((s): s is string => Boolean(s));
  if (!signedBy.some((secret) => timingSafeEqual(mac(secret, payload), given))) return { ok: false, reason: 'bad_signature' };
  let fields: unknown;
  try {
    fields = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(fields) || (fields.length !== 4 && fields.length !== 6)) return { ok: false, reason: 'malformed' };
  const [action, subscriberId, paperId, issued, kind, value] = fields as unknown[];
  if (!feedbackActions.includes(action as FeedbackAction)) return { ok: false, reason: 'malformed' };
  if (typeof subscriberId !== 'string' || !UUID.test(subscriberId)) return { ok: false, reason: 'malformed' };
  if (typeof paperId !== 'string' || !paperId || typeof issued !== 'number') return { ok: false, reason: 'malformed' };
  const claim: FeedbackClaim = { action: action as FeedbackAction, subscriberId, paperId };
  if (action === 'follow') {
    if (!followKinds.includes(kind as FollowKind) || typeof value !== 'string' || !value) return { ok: false, reason: 'malformed' };
    claim.target = { kind: kind as FollowKind, value };
  }
  return { ok: true, issuedAt: new Date(issued * 1000), ...claim };
}
