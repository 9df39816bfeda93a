/**
 * The HTML forms' bodies (application/x-www-form-urlencoded or multipart):
 * every value arrives as a string, a repeated field as an array. These schemas
 * turn them into the same preferences the JSON API takes, with the same rules.
 */
import { z } from 'zod';
import { emailSchema, frequencySchema, keywordsSchema, sendHourSchema, timezoneSchema, topicsSchema } from '../subscribers/preferences.ts';

const field = z.string().max(2000);
const list = z
  .union([field, z.array(field).max(50)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const formPreferences = {
  topics: list.pipe(topicsSchema),
  keywords: field
    .optional()
    .transform((s) => (s ?? '').split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(keywordsSchema),
  frequency: frequencySchema.default('daily'),
  timezone: timezoneSchema.default('UTC'),
  sendHour: field.regex(/^\d{1,2}$/, 'send hour must be a whole hour from 0 to 23').transform(Number).pipe(sendHourSchema).default(7),
};

export const subscribeForm = z.strictObject({ email: emailSchema, ...formPreferences });
export const preferencesForm = z.strictObject(formPreferences);

/** One line per problem, for the page's error list. */
export function formErrors(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message));
}

/** What the person typed, to show the form again after an error. */
export function submittedValues(body: unknown) {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v.slice(0, 300) : fallback);
  const topics = Array.isArray(b.topics) ? b.topics.filter((t): t is string => typeof t === 'string') : typeof b.topics === 'string' ? [b.topics] : [];
  return {
    email: str(b.email, ''),
    topics,
    keywords: str(b.keywords, ''),
    frequency: str(b.frequency, 'daily'),
    timezone: str(b.timezone, 'UTC'),
    sendHour: str(b.sendHour, '7'),
  };
}
