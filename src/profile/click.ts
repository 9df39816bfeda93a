/**
 * Click tracking (CLICK_TRACKING=on, off by default): the paper links of a
 * digest go to `${PUBLIC_URL}/r?token=…`, a signed token naming the reader and
 * the paper, and the route sends the reader on to the paper's Hugging Face
 * page. The destination is derived from the paper id, never read from the
 * link, so the redirect cannot be pointed anywhere else.
 *
 * Like every feedback link, the GET records nothing (link scanners open every
 * link): the redirect page counts the click with a POST from the browser and
 * then moves on. Nothing else is tracked: no pixels, no opens.
 */
import type { Config } from '../config.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { signFeedback } from './feedback-token.ts';

export const clickTrackingOn = (config: Pick<Config, 'CLICK_TRACKING'>) => config.CLICK_TRACKING === 'on';

/** The footer line digests carry while CLICK_TRACKING=on. */
export const CLICK_TRACKING_NOTICE =
  'Paper links in this email go through paperboy, which counts a click to rank your next emails; nothing else is tracked.';

/** Where a paper's link goes without tracking (the same address cards use). */
export const paperPage = (id: string) => `https://huggingface.co/papers/${encodeURIComponent(id).replaceAll('%2F', '/')}`;

export interface ClickUrlInput {
  config: Pick<Config, 'CLICK_TRACKING' | 'publicUrl'>;
  secrets: TokenSecrets;
  subscriberId: string;
  paperId: string;
  issuedAt?: Date;
}

/** The link a card puts on the paper's title: tracked when CLICK_TRACKING=on, the paper page otherwise. */
export function clickUrl({ config, secrets, subscriberId, paperId, issuedAt = new Date() }: ClickUrlInput): string {
  if (!clickTrackingOn(config)) return paperPage(paperId);
  return `${config.publicUrl}/r?token=${signFeedback(secrets, { action: 'click', subscriberId, paperId }, issuedAt)}`;
}
