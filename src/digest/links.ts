/**
 * The per-recipient values of a digest: tokenised preferences and unsubscribe
 * links, the web version's address, the email address itself, and each card's
 * signed feedback links (profile/links.ts) and title links (profile/click.ts).
 */
import type { Config } from '../config.ts';
import { isTopic } from '../papers/topics.ts';
import { clickUrl } from '../profile/click.ts';
import { feedbackUrls } from '../profile/links.ts';
import { subscriberLink } from '../subscribers/links.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';
import type { Recipient } from './personalise.ts';

export interface LinkSubscriber {
  id: string;
  email: string;
  topics: readonly string[];
}

/** `/digests/2025-12-08?topics=llm,vision`: the public web version of that day for these topics. */
export function webDigestUrl(publicUrl: string, localDate: string, topics: readonly string[]): string {
  const mix = [...new Set(topics.filter(isTopic))].sort();
  return `${publicUrl}/digests/${localDate}${mix.length ? `?topics=${mix.join(',')}` : ''}`;
}

export function recipientFor(
  config: Pick<Config, 'publicUrl' | 'CLICK_TRACKING'>,
  secrets: TokenSecrets,
  sub: LinkSubscriber,
  localDate: string,
  issuedAt = new Date(),
): Recipient {
  const signer = { secrets, publicUrl: config.publicUrl };
  return {
    email: sub.email,
    preferencesUrl: subscriberLink(signer, 'preferences', sub.id, issuedAt),
    unsubscribeUrl: subscriberLink(signer, 'unsubscribe', sub.id, issuedAt),
    webUrl: webDigestUrl(config.publicUrl, localDate, sub.topics),
    feedback: (paper) => feedbackUrls({ publicUrl: config.publicUrl, secrets, subscriberId: sub.id, paper, issuedAt }),
    click: (paperId) => clickUrl({ config, secrets, subscriberId: sub.id, paperId, issuedAt }),
  };
}
