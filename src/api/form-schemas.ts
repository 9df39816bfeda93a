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

/** The form's fields, in page order: the first one with an error gets the focus. */
export const formFields = ['email', 'topics', 'keywords', 'frequency', 'sendHour', 'timezone'] as const;
export type FormField = (typeof formFields)[number];
/** One sentence per wrong field (the first problem found), plus `form` for anything not tied to a field. */
export type FieldErrors = Partial<Record<FormField | 'form', string>>;

const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

// What a person can do about each field; the rules' own messages (shared with
// the JSON API) are used where they already say it in words.
const inWords: Record<FormField, (message: string) => string> = {
  email: (m) =>
    m === 'email is empty'
      ? 'Enter your email address, like ada@example.org.'
      : `${sentence(m.replace(/^email /, 'this address '))} Enter an email address like ada@example.org.`,
  topics: (m) => {
    const name = /^unknown topic ("[^"]*")/.exec(m)?.[1];
    return `${name ? `${name} is not one of the topics; choose` : 'Choose'} topics from the list, or none for all topics.`;
  },
  keywords: (m) => sentence(m),
  frequency: () => 'Choose daily or weekly.',
  sendHour: () => 'Choose an hour from the list.',
  timezone: (m) => sentence(m.replace(/; use an IANA name.*$/, '; choose one from the list')),
};

export function formErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && (formFields as readonly string[]).includes(field)) {
      out[field as FormField] ??= inWords[field as FormField](issue.message);
    } else if (issue.code === 'unrecognized_keys') {
      out.form ??= `The form sent fields this page does not have (${issue.keys.join(', ').slice(0, 100)}); reload the page and try again.`;
    } else {
      out.form ??= sentence(issue.message);
    }
  }
  return out;
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
