/**
 * The whole environment in one zod schema. `loadConfig(env)` is pure: it reads
 * only the object it is given, so tests pass plain objects and the entry points
 * pass `process.env`. A bad environment fails once, naming every offending key.
 *
 * Every key here is documented in `.env.example` and the README; a test keeps
 * the three in step.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseMailbox } from './mail/address.ts';
import { mailHeadersSchema } from './mail/custom-headers.ts';
import { topicSlugs } from './papers/topics.ts';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const url = (protocols: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url()
      .refine((v) => protocols.includes(new URL(v).protocol), {
        message: `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      })
      .optional(),
  );
// Whose X-Forwarded-For to believe, in a form Fastify's `trustProxy` takes:
// false (the socket address), a hop count, or proxy addresses/CIDRs (and
// proxy-addr's names loopback, linklocal, uniquelocal). Never plain `true`:
// that believes whatever the client writes leftmost.
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyAddress = (v: string) => {
  if (PROXY_NAMES.includes(v)) return true;
  const [ip, bits, more] = v.split('/');
  if (more !== undefined || !ip || !isIP(ip)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(ip) === 4 ? 32 : 128));
};
const trustProxy = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx): false | number | string[] => {
      if (v === undefined || v === 'false' || v === '0') return false;
      if (/^\d{1,2}$/.test(v)) return Number(v);
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((a) => !isProxyAddress(a));
      if (v === 'true' || !list.length || bad.length) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a hop count (e.g. 1) or proxy addresses/CIDRs separated by commas (e.g. 10.0.0.0/8,127.0.0.1)${bad.length ? `; not an address: ${bad.join(', ')}` : ''}${v === 'true' ? '; "true" would believe any client\'s X-Forwarded-For' : ''}`,
        });
        return z.NEVER;
      }
      return list;
    }),
);

const cron = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression with 5 or 6 fields');

export const configSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, . _ - only').default('paperboy')),
  SMTP_URL: url(['smtp:', 'smtps:']),

  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PORT: int(0, 65535, 3000),
  METRICS_PORT: int(0, 65535, 9464),
  PUBLIC_URL: url(['http:', 'https:']),
  SECRET: optionalString,
  SECRET_PREVIOUS: optionalString,
  // Long enough that guessing is hopeless even before the throttle (admin-throttle.ts).
  ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(24, 'must be at least 24 characters (e.g. openssl rand -hex 24)').optional()),
  METRICS_TOKEN: optionalString,
  TRUST_PROXY: trustProxy,
  WEBHOOK_TOKEN: optionalString,

  HF_API_URL: z.preprocess(emptyToUndefined, z.string().url().default('https://huggingface.co')),
  HF_TIMEOUT_MS: int(100, 120_000, 15_000),
  HF_RETRIES: int(0, 10, 4),
  HF_TOKEN: optionalString,
  HF_MAX_WAIT_SECONDS: int(0, 86_400, 900),
  HF_CONCURRENCY: int(1, 16, 4),
  TRENDING_GRAVITY: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(5).default(1.5)),
  INGEST_CRON: z.preprocess(emptyToUndefined, cron.default('5 * * * *')),
  PLAN_CRON: z.preprocess(emptyToUndefined, cron.default('*/15 * * * *')),
  RETENTION_CRON: z.preprocess(emptyToUndefined, cron.default('30 3 * * *')),

  DIGEST_SIZE: int(1, 50, 10),
  DEFAULT_TOPICS: z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v.split(',').map((s) => s.trim()) : undefined),
    z.array(z.enum(topicSlugs)).default([]),
  ),

  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('paperboy <paperboy@localhost>')),
  REPLY_TO: optionalString,
  MAIL_POSTAL_ADDRESS: optionalString,
  UNSUBSCRIBE_MAILTO: optionalString,
  DKIM_DOMAIN: optionalString,
  DKIM_SELECTOR: optionalString,
  DKIM_PRIVATE_KEY: optionalString,

  SEND_CONCURRENCY: int(1, 1000, 20),
  SEND_BATCH_SIZE: int(1, 10_000, 100),
  SEND_RATE_PER_SEC: int(0, 1_000_000, 0),
  SEND_LEASE_SECONDS: int(10, 86_400, 300),
  BOUNCE_LIMIT: int(1, 100, 1),
  /** Days a finished delivery is kept (admin chart: 14; the no-repeat ledger keeps its own, shorter, window). */
  DELIVERY_RETENTION_DAYS: int(1, 3650, 30),

  // Deliverability: custom headers, the bounce address and its inbound SMTP endpoint (src/mail, src/bounces).
  MAIL_HEADERS: z.preprocess(emptyToUndefined, mailHeadersSchema.optional()),
  BOUNCE_ADDRESS: z.preprocess(emptyToUndefined, z.email().optional()),
  BOUNCE_VERP: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('off').transform((v) => v === 'on')),
  BOUNCE_SMTP_PORT: int(0, 65535, 0),
  SES_SNS_TOPIC_ARNS: optionalString,
  SENDGRID_WEBHOOK_PUBLIC_KEY: optionalString,
  MAILGUN_WEBHOOK_SIGNING_KEY: optionalString,
  POSTMARK_WEBHOOK_TOKEN: optionalString,

  /** Paper links through a signed redirect that counts a click as a weak positive (README "Click tracking and privacy"). */
  CLICK_TRACKING: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('off')),
});

export type Config = z.infer<typeof configSchema> & {
  /** Derived: where links in emails start, without a trailing slash. */
  publicUrl: string;
  /** Derived: true when no DATABASE_URL is set (PGlite under DATA_DIR). */
  embedded: boolean;
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(issues);
  }
  const c = parsed.data;
  const embedded = !c.DATABASE_URL;
  const issues: string[] = [];
  // A production database with a weak secret would let anyone forge unsubscribe
  // and preference links; the embedded default generates one under DATA_DIR.
  if (!embedded && (!c.SECRET || c.SECRET.length < 32)) {
    issues.push('SECRET: must be set to at least 32 characters when DATABASE_URL is set');
  }
  const dkim = [c.DKIM_DOMAIN, c.DKIM_SELECTOR, c.DKIM_PRIVATE_KEY].filter(Boolean).length;
  if (dkim !== 0 && dkim !== 3) {
    issues.push('DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: set all three or none');
  }
  for (const key of ['MAIL_FROM', 'REPLY_TO'] as const) {
    try {
      if (c[key]) parseMailbox(c[key]);
    } catch {
      issues.push(`${key}: must be one address, e.g. "paperboy <digest@example.org>"`);
    }
  }
  if ((c.BOUNCE_VERP || c.BOUNCE_SMTP_PORT) && !c.BOUNCE_ADDRESS) issues.push('BOUNCE_VERP, BOUNCE_SMTP_PORT: need BOUNCE_ADDRESS');
  if (issues.length) throw new ConfigError(issues);
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '');
  return { ...c, publicUrl, embedded };
}
