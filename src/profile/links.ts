/**
 * The per-subscriber feedback links on each card of a digest: More like this,
 * Less like this, Follow <organisation or first author>. Each is a signed GET
 * link to a page that changes nothing by itself (link scanners open every link
 * of an email); the page records the choice through a POST. See
 * src/api/feedback-routes.ts.
 */
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { signFeedback, type FeedbackClaim, type FollowKind } from './feedback-token.ts';

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

export function feedbackUrls({ publicUrl, secrets, subscriberId, paper, issuedAt = new Date() }: FeedbackLinkInput): FeedbackUrls {
  const base = { subscriberId, paperId: paper.id };
  const target = followTarget(paper);
  return {
    more: feedbackUrl(publicUrl, secrets, { ...base, action: 'more' }, issuedAt),
    less: feedbackUrl(publicUrl, secrets, { ...base, action: 'less' }, issuedAt),
    follow: target
      ? { label: `Follow ${target.value}`, url: feedbackUrl(publicUrl, secrets, { ...base, action: 'follow', target }, issuedAt) }
      : null,
  };
}
