/**
 * The per-subscriber feedback links on each card of a digest: More like this,
 * Less like this, Follow <organisation or first author>. Each is a signed GET
 * link to a page that changes nothing by itself (link scanners open every link
 * of an email); the page records the choice through a POST. See
 * src/api/feedback-routes.ts.
 */
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { cardToken, signFeedback, signFeedbackCard, type CardSignature, type FeedbackClaim, type FollowKind } from './feedback-token.ts';

export interface FeedbackPaper {
  id: string;
  organisation: string | null;
  authors: readonly string[];
}

export interface FeedbackLinkInput {
  publicUrl: string;
  secrets: TokenSecrets;
  subscriberId: string;
  paper: FeedbackPaper;
  issuedAt?: Date;
}

export interface FeedbackUrls {
  more: string;
  less: string;
  /** Null when the paper names neither an organisation nor an author. */
  follow: { label: string; url: string } | null;
}

/** What "Follow" follows on this paper: its organisation, else its first author. */
export function followTarget(paper: Pick<FeedbackPaper, 'organisation' | 'authors'>): { kind: FollowKind; value: string } | null {
  const org = paper.organisation?.trim();
  if (org) return { kind: 'organisation', value: org };
  const first = paper.authors.find((a) => a.trim())?.trim();
  return first ? { kind: 'author', value: first } : null;
}

export function feedbackUrl(publicUrl: string, secrets: TokenSecrets, claim: FeedbackClaim, issuedAt = new Date()): string {
  return `${publicUrl}/feedback?token=${signFeedback(secrets, claim, issuedAt)}`;
}

/** The card's one signature for its three links (profile/feedback-token.ts). */
export function signCard({ secrets, subscriberId, paper, issuedAt = new Date() }: Omit<FeedbackLinkInput, 'publicUrl'>): CardSignature {
  const target = followTarget(paper);
  return signFeedbackCard(secrets, target ? { subscriberId, paperId: paper.id, target } : { subscriberId, paperId: paper.id }, issuedAt);
}

/**
 * A card's links from its signature: plain concatenation, so delivery/compose.ts
 * can build them once with markers for the signature's parts and fill those per reader.
 */
export function cardUrls(publicUrl: string, signature: CardSignature, paper: Pick<FeedbackPaper, 'organisation' | 'authors'>): FeedbackUrls {
  const url = (action: 'more' | 'less' | 'follow') => `${publicUrl}/feedback?token=${cardToken(signature, action)}`;
  const target = followTarget(paper);
  return { more: url('more'), less: url('less'), follow: target ? { label: `Follow ${target.value}`, url: url('follow') } : null };
}

export function feedbackUrls(input: FeedbackLinkInput): FeedbackUrls {
  return cardUrls(input.publicUrl, signCard(input), input.paper);
}
