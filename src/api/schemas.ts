/**
 * Request and response bodies of the JSON API as zod schemas. They feed both
 * validation (unknown fields are refused: every object is strict) and the
 * OpenAPI document at /docs. The field rules live with the domain in
 * subscribers/preferences.ts; this file only arranges them per endpoint.
 */
import { z } from 'zod';
import { frequencies, subscriberStatuses } from '../db/schema.ts';
import { topicSlugs } from '../papers/topics.ts';
import { emailSchema, preferencesPatchShape } from '../subscribers/preferences.ts';

export const errorBody = z.object({
  error: z.string().meta({ example: 'validation_failed' }),
  message: z.string(),
  details: z.unknown().optional(),
});

export const subscribeBody = z.strictObject({ email: emailSchema, ...preferencesPatchShape });

export const acceptedBody = z.object({
  status: z.literal('check_your_inbox'),
  message: z.string(),
});
export const ACCEPTED = {
  status: 'check_your_inbox',
  message: 'Check your inbox to confirm. If this address can be subscribed, a confirmation link is on its way.',
} as const;
/** The same answer for every address, serialised once (it is the hot path's whole response). */
export const ACCEPTED_JSON = JSON.stringify(ACCEPTED);

const tokenString = z.string().min(1).max(400).meta({ description: 'the token from a link in an email' });

export const tokenBody = z.strictObject({ token: tokenString });
/** The token may also come as `Authorization: Bearer …`. */
export const tokenQuery = z.strictObject({ token: tokenString.optional() });

export const statusBody = z.object({ status: z.enum(subscriberStatuses) });

export const preferencesBody = z.object({
  email: z.string(),
  status: z.enum(subscriberStatuses),
  topics: z.array(z.enum(topicSlugs)),
  keywords: z.array(z.string()),
  frequency: z.enum(frequencies),
  timezone: z.string(),
  sendHour: z.number().int(),
});

export const preferencesPut = z.strictObject({
  ...preferencesPatchShape,
  paused: z.boolean().optional().meta({ description: 'true pauses emails, false resumes them' }),
});

export const exportBody = z.object({
  subscriber: z.record(z.string(), z.unknown()),
  deliveries: z.array(z.record(z.string(), z.unknown())),
  auditEvents: z.array(z.record(z.string(), z.unknown())),
  /** What the profile learned: votes, follows, mutes, negative keywords, clicks. */
  profile: z.object({
    votes: z.array(z.record(z.string(), z.unknown())),
    rules: z.array(z.record(z.string(), z.unknown())),
    clicks: z.array(z.record(z.string(), z.unknown())),
  }),
});
