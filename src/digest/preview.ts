/**
 * The exact email a subscriber would get on a day, for `paperboy digest
 * preview` and GET /preview: the stored subscriber by address, or a
 * hypothetical one for a topic/keyword mix, selected and rendered through the
 * same code a send run uses, with working-looking signed links.
 */
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { subscribers } from '../db/schema.ts';
import type { Topic } from '../papers/topics.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { recipientFor } from './links.ts';
import { localDateAt, periodOfDate, type DigestPeriod } from './period.ts';
import { createDigestRenderer, type DigestRenderer, type RenderedDigest } from './render.ts';
import { selectDigest } from './select.ts';
import { emailContent } from './view.ts';

export type PreviewInput = ({ email: string } | { topics: readonly Topic[]; keywords: readonly string[] }) & {
  /** The subscriber's local date; default: their today. */
  date?: string;
};

export type PreviewResult =
  | { kind: 'digest'; period: DigestPeriod; email: RenderedDigest; to: string }
  | { kind: 'skip'; period: DigestPeriod; reason: string }
  | { kind: 'unknown-subscriber'; email: string };

export interface PreviewDeps {
  db: Db;
  config: Config;
  secrets: TokenSecrets;
  now: Date;
  renderer?: DigestRenderer;
}

/** The hypothetical subscriber of a topic preview: UTC, 07:00, daily. */
export const SAMPLE_SUBSCRIBER = {
  id: '00000000-0000-4000-8000-000000000000',
  email: 'you@example.com',
  frequency: 'daily' as const,
  timezone: 'UTC',
  sendHour: 7,
};

async function findSubscriber(db: Db, email: string) {
  const [row] = await db.select().from(subscribers).where(sql`lower(${subscribers.email}) = lower(${email.trim()})`).limit(1);
  return row;
}

export async function previewDigest(deps: PreviewDeps, input: PreviewInput): Promise<PreviewResult> {
  const stored = 'email' in input ? await findSubscriber(deps.db, input.email) : undefined;
  if ('email' in input && !stored) return { kind: 'unknown-subscriber', email: input.email };
  const sub = stored ?? { ...SAMPLE_SUBSCRIBER, topics: [...('topics' in input ? input.topics : [])], keywords: [...('keywords' in input ? input.keywords : [])] };
  const period = periodOfDate(sub, input.date ?? localDateAt(deps.now, sub.timezone));
  const selection = await selectDigest(deps.db, { subscriber: sub, period }, deps.config);
  if (selection.kind === 'skip') return { kind: 'skip', period, reason: selection.reason };
  const renderer = deps.renderer ?? createDigestRenderer(deps.config);
  const recipient = recipientFor(deps.config, deps.secrets, sub, period.localDate, period.asOf);
  return { kind: 'digest', period, to: sub.email, email: await renderer.render(emailContent(selection), recipient) };
}
