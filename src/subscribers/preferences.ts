/**
 * What a subscriber chooses, and the rules for each choice, as zod schemas the
 * JSON API and the pages share. Values arriving here are untrusted; values
 * leaving are safe to store.
 */
import { z } from 'zod';
import { frequencies, type Frequency } from '../db/schema.ts';
import { topicSlugs, type Topic } from '../papers/topics.ts';
import { normalizeEmail } from './email.ts';
import { canonicalTimeZone } from './timezones.ts';

export const MAX_KEYWORDS = 10;
export const MAX_KEYWORD_LENGTH = 60;

export interface Preferences {
  topics: Topic[];
  keywords: string[];
  frequency: Frequency;
  timezone: string;
  sendHour: number;
}

export const defaultPreferences: Preferences = { topics: [], keywords: [], frequency: 'daily', timezone: 'UTC', sendHour: 7 };

// Control characters (NUL cannot even be stored) and the bidi overrides that can
// make text display as something else, and lone surrogates (not text at all).
const FORBIDDEN = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export const emailSchema = z
  .string()
  .max(1000)
  .transform((raw, ctx) => {
    const check = normalizeEmail(raw);
    if (!check.ok) {
      ctx.addIssue({ code: 'custom', message: `email ${check.reason}` });
      return z.NEVER;
    }
    return check.email;
  })
  .meta({ description: 'An email address; the domain may be Unicode (stored as punycode).', example: 'ada+papers@example.org' });

export const topicsSchema = z
  .array(z.enum(topicSlugs, { error: (i) => `unknown topic ${JSON.stringify(i.input)}; one of ${topicSlugs.join(', ')}` }))
  .max(topicSlugs.length * 2)
  .transform((ts) => [...new Set(ts)])
  .meta({ description: 'Topic slugs; empty means all topics.' });

const keywordSchema = z
  .string()
  .max(1000)
  .transform((s) => s.trim())
  // The message names the keyword, so a person with ten of them knows which to shorten.
  .superRefine((s, ctx) => {
    if (s.length > MAX_KEYWORD_LENGTH) {
      const shown = `${[...s].slice(0, 30).join('')}${s.length > 30 ? '…' : ''}`;
      ctx.addIssue({ code: 'custom', message: `keyword "${shown}" is ${s.length} characters long; each keyword must be 1–${MAX_KEYWORD_LENGTH} characters` });
    } else if (!s) {
      ctx.addIssue({ code: 'custom', message: `a keyword is empty; each keyword must be 1–${MAX_KEYWORD_LENGTH} characters` });
    }
  })
  .refine((s) => !FORBIDDEN.test(s), 'keywords may not contain control or direction characters');

export const keywordsSchema = z
  .array(keywordSchema)
  .max(MAX_KEYWORDS, `at most ${MAX_KEYWORDS} keywords`)
  // Same phrase twice in another case is one keyword.
  .transform((ks) => [...new Map(ks.map((k) => [k.toLowerCase(), k])).values()])
  .meta({ description: `Up to ${MAX_KEYWORDS} phrases of 1–${MAX_KEYWORD_LENGTH} characters, matched in titles and abstracts.` });

export const frequencySchema = z.enum(frequencies);

export const timezoneSchema = z
  .string()
  .max(100)
  .transform((tz, ctx) => {
    const canonical = canonicalTimeZone(tz);
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: `unknown time zone ${JSON.stringify(tz.slice(0, 40))}; use an IANA name such as Europe/Berlin` });
      return z.NEVER;
    }
    return canonical;
  })
  .meta({ description: 'IANA time zone name', example: 'Europe/Berlin' });

export const sendHourSchema = z.number().int().min(0).max(23);

/** Every field optional: PUT changes only what it names; subscribe fills in defaults. */
export const preferencesPatchShape = {
  topics: topicsSchema.optional(),
  keywords: keywordsSchema.optional(),
  frequency: frequencySchema.optional(),
  timezone: timezoneSchema.optional(),
  sendHour: sendHourSchema.optional(),
};

export type PreferencesPatch = Partial<Preferences>;

export function withDefaults(patch: PreferencesPatch): Preferences {
  return {
    topics: patch.topics ?? defaultPreferences.topics,
    keywords: patch.keywords ?? defaultPreferences.keywords,
    frequency: patch.frequency ?? defaultPreferences.frequency,
    timezone: patch.timezone ?? defaultPreferences.timezone,
    sendHour: patch.sendHour ?? defaultPreferences.sendHour,
  };
}
