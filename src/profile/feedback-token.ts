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
 *
 * A digest card carries three links (more, less, follow), and signing each on
 * its own was a third of composing an email. Card tokens (signFeedbackCard)
 * take one HMAC-SHA512 per card and give each action its own 21 bytes (168
 * bits) of it. The MAC covers [subscriberId, paperId, issuedAt, commitment?],
 * the commitment being the first 16 bytes of SHA-256 of the follow target
 * ([kind, value]), so More and Less links need not carry a long organisation
 * name:
 *
 *   more, less: base64url(JSON [subscriberId, paperId, issuedAt, commitment?]) "." m|l "." base64url(slice)
 *   follow:     base64url(JSON [subscriberId, paperId, issuedAt, kind, value]) "." f "." base64url(slice)
 *
 * A link shows its own slice only, and one slice says nothing about another,
 * so a "more" link still cannot be turned into a "follow" (or moved to
 * another paper, reader or target). The purpose prefix ("feedback-card:") and
 * hash differ from the single-action tokens', which stay valid (and stay what
 * tracked clicks use).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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

/** The actions a card token signs, in the order of their slices of the MAC, and the letter naming each in the token. */
export const cardActions = ['more', 'less', 'follow'] as const;
export type CardAction = (typeof cardActions)[number];
const CARD_LETTER: Record<CardAction, string> = { more: 'm', less: 'l', follow: 'f' };
const LETTER_ACTION: Record<string, CardAction> = { m: 'more', l: 'less', f: 'follow' };
const CARD_PURPOSE = 'feedback-card:';
/** Bytes of the MAC per action: 21 bytes are 28 base64url characters, no padding. */
const SLICE = 21;
const cardMac = (secret: string, payload: string) => createHmac('sha512', secret).update(CARD_PURPOSE + payload).digest();

/** A card's signed feedback: the payloads its links carry, and each action's own signature. */
export interface CardSignature {
  /** For more and less. */
  payload: string;
  /** For follow; null when the card has nothing to follow. */
  followPayload: string | null;
  tags: Record<CardAction, string>;
}

const commitmentOf = (target: { kind: string; value: string }) =>
  createHash('sha256').update(JSON.stringify([target.kind, target.value])).digest().toString('base64url', 0, 16);
// The same few hundred targets (a window's papers) for every reader of a run.
const commitments = new Map<string, string>();
function commitment(target: { kind: string; value: string }): string {
  const key = `${target.kind}\u0000${target.value}`;
  let c = commitments.get(key);
  if (c === undefined) {
    if (commitments.size >= 10_000) commitments.clear();
    commitments.set(key, (c = commitmentOf(target)));
  }
  return c;
}
const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** One MAC for a card's more, less and follow links (see the top of the file). */
export function signFeedbackCard(secrets: TokenSecrets, claim: Omit<FeedbackClaim, 'action'>, issuedAt = new Date()): CardSignature {
  const issued = Math.floor(issuedAt.getTime() / 1000);
  const signed: unknown[] = [claim.subscriberId, claim.paperId, issued];
  if (claim.target) signed.push(commitment(claim.target));
  const payload = JSON.stringify(signed);
  // 63 bytes are 84 base64url characters: each action's slice is 28 of them.
  const tags = cardMac(secrets.current, payload).toString('base64url', 0, SLICE * cardActions.length);
  return {
    payload: b64(payload),
    followPayload: claim.target ? b64(JSON.stringify([claim.subscriberId, claim.paperId, issued, claim.target.kind, claim.target.value])) : null,
    tags: { more: tags.slice(0, 28), less: tags.slice(28, 56), follow: tags.slice(56, 84) },
  };
}

/** The token of one of a card's links. */
export function cardToken(signature: CardSignature, action: CardAction): string {
  const payload = action === 'follow' ? signature.followPayload : signature.payload;
  if (payload === null) throw new Error('this card has nothing to follow');
  return `${payload}.${CARD_LETTER[action]}.${signature.tags[action]}`;
}

function verifyCard(secrets: TokenSecrets, encoded: string, letter: string, signature: string): FeedbackCheck {
  const action = LETTER_ACTION[letter];
  if (!action) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== SLICE) return { ok: false, reason: 'malformed' };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(fields) || fields.length !== (action === 'follow' ? 5 : fields.length === 4 ? 4 : 3)) return { ok: false, reason: 'malformed' };
  const [subscriberId, paperId, issued, kind, value] = fields as unknown[];
  const claim = claimOf([action, subscriberId, paperId, issued, ...(action === 'follow' ? [kind, value] : [])]);
  if (!claim.ok) return claim;
  const commit = action === 'follow' ? commitmentOf(claim.target!) : kind;
  if (commit !== undefined && typeof commit !== 'string') return { ok: false, reason: 'malformed' };
  const payload = JSON.stringify(commit === undefined ? [subscriberId, paperId, issued] : [subscriberId, paperId, issued, commit]);
  const i = cardActions.indexOf(action) * SLICE;
  const signedBy = [secrets.current, secrets.previous].filter((s): s is string => Boolean(s));
  if (!signedBy.some((secret) => timingSafeEqual(cardMac(secret, payload).subarray(i, i + SLICE), given))) return { ok: false, reason: 'bad_signature' };
  return claim;
}

export function signFeedback(secrets: TokenSecrets, claim: FeedbackClaim, issuedAt = new Date()): string {
  const fields: unknown[] = [claim.action, claim.subscriberId, claim.paperId, Math.floor(issuedAt.getTime() / 1000)];
  if (claim.target) fields.push(claim.target.kind, claim.target.value);
  const payload = JSON.stringify(fields);
  return `${Buffer.from(payload).toString('base64url')}.${mac(secrets.current, payload).toString('base64url')}`;
}

export function verifyFeedback(secrets: TokenSecrets, token: unknown): FeedbackCheck {
  if (typeof token !== 'string' || token.length > 1000 || !/^[\w-]+\.(?:[a-z]\.)?[\w-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const segments = token.split('.');
  if (segments.length === 3) return verifyCard(secrets, segments[0]!, segments[1]!, segments[2]!);
  const [encoded, signature] = segments as [string, string];
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
  return claimOf(fields);
}

/** [action, subscriberId, paperId, issuedAt, kind?, value?], checked. */
function claimOf(fields: unknown[]): FeedbackCheck {
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
