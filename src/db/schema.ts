/**
 * The single source of truth for the database. `npm run db:generate` turns it
 * into SQL under migrations/ (committed); `paperboy migrate` applies that SQL to
 * Postgres or PGlite. Only features both support are used here.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const papers = pgTable(
  'papers',
  {
    /** arXiv id, e.g. 2502.09927: the upsert key. */
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    aiSummary: text('ai_summary'),
    aiKeywords: text('ai_keywords').array().notNull().default(sql`'{}'::text[]`),
    authors: text('authors').array().notNull().default(sql`'{}'::text[]`),
    organizationName: text('organization_name'),
    organizationFullname: text('organization_fullname'),
    publishedAt: ts('published_at').notNull(),
    /** When the paper appeared on Daily Papers; trending age counts from here. */
    dailyAt: ts('daily_at').notNull(),
    dailyDate: date('daily_date', { mode: 'string' }).notNull(),
    upvotes: integer('upvotes').notNull().default(0),
    numComments: integer('num_comments').notNull().default(0),
    githubRepo: text('github_repo'),
    githubStars: integer('github_stars'),
    projectPage: text('project_page'),
    thumbnail: text('thumbnail'),
    topics: text('topics').array().notNull().default(sql`'{}'::text[]`),
    /** Set when the paper was withdrawn on Hugging Face: it is kept but never selected or shown. */
    withdrawnAt: ts('withdrawn_at'),
    /** From the paper's own page (GET /api/papers/{id}); null until it was fetched. */
    models: integer('models'),
    datasets: integer('datasets'),
    spaces: integer('spaces'),
    enrichedAt: ts('enriched_at'),
    firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('papers_daily_at_idx').on(t.dailyAt),
    index('papers_topics_idx').using('gin', t.topics),
  ],
);

export const subscriberStatuses = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'] as const;
export type SubscriberStatus = (typeof subscriberStatuses)[number];
export const frequencies = ['daily', 'weekly'] as const;
export type Frequency = (typeof frequencies)[number];

export const subscribers = pgTable(
  'subscribers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Trimmed, domain lower-cased; uniqueness is case-insensitive (index below). */
    email: text('email').notNull(),
    status: text('status', { enum: subscriberStatuses }).notNull().default('pending'),
    topics: text('topics').array().notNull().default(sql`'{}'::text[]`),
    keywords: text('keywords').array().notNull().default(sql`'{}'::text[]`),
    frequency: text('frequency', { enum: frequencies }).notNull().default('daily'),
    timezone: text('timezone').notNull().default('UTC'),
    sendHour: smallint('send_hour').notNull().default(7),
    hardBounces: integer('hard_bounces').notNull().default(0),
    /** Confirmation-mail throttle: last send, and sends on `confirmDay` (UTC). */
    confirmSentAt: ts('confirm_sent_at'),
    confirmDay: date('confirm_day', { mode: 'string' }),
    confirmCount: integer('confirm_count').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    confirmedAt: ts('confirmed_at'),
    unsubscribedAt: ts('unsubscribed_at'),
  },
  (t) => [
    uniqueIndex('subscribers_email_lower_idx').on(sql`lower(${t.email})`),
    index('subscribers_status_idx').on(t.status),
  ],
);

export const deliveryStatuses = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * One row per subscriber and period. A sent row is written three times —
 * planned, claimed, settled — so no index may cover a column those updates
 * change (status, lease, papers, attempts, updated_at): then every update is
 * a heap-only tuple (HOT) update, which writes no index entries and whose
 * dead versions the page itself reclaims, with no VACUUM. The table keeps
 * free room in each page for that (fillfactor, migrations 0010 and 0012). Queries by
 * state narrow by an immutable column first (period, created_at).
 */
export const deliveries = pgTable(
  'deliveries',
  {
    /** Also the seed of the Message-ID (`<digest.{id}@domain>`), so a resend after a crash is recognisable. */
    id: uuid('id').primaryKey().defaultRandom(),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** The subscriber's local date (2025-12-08) or ISO week (2025-W50). */
    period: text('period').notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('queued'),
    /** The moment the digest is chosen "as of" (the subscriber's send time). */
    scheduledFor: ts('scheduled_for').notNull(),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: ts('lease_until'),
    /**
     * The ids of the papers chosen for the send, in order, separated by
     * spaces (paper ids have none: papers/paper.ts): held from the claim until
     * the outcome, so a resume sends the same digest, and kept by a failed
     * delivery for a resend. NULL before the claim and once sent: what was
     * sent is in the no-repeat ledger, sent_papers. One text, not a text[]:
     * 111 bytes for ten ids instead of 184, which is the room a page must
     * keep free for a claim's version (fillfactor, migration 0012).
     */
    chosenPapers: text('chosen_papers'),
    /** Why skipped or failed, in words. */
    reason: text('reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /**
     * The last write after planning (claim, outcome, resend); NULL until the
     * first, when it would only repeat created_at: a planned row is then 8
     * bytes smaller, and more of them fit a page.
     */
    updatedAt: ts('updated_at'),
    sentAt: ts('sent_at'),
  },
  (t) => [
    uniqueIndex('deliveries_subscriber_period_idx').on(t.subscriberId, t.period),
    index('deliveries_period_idx').on(t.period),
    index('deliveries_created_at_idx').on(t.createdAt),
  ],
);

/**
 * The no-repeat ledger: the papers each subscriber was sent, one row per sent
 * period, kept for the longest candidate window (10 days) whatever
 * DELIVERY_RETENTION_DAYS is, so pruning deliveries never lets a paper
 * repeat. Rows arrive in time order, so a BRIN index (a few pages) is enough
 * for the daily prune.
 */
export const sentPapers = pgTable(
  'sent_papers',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    scheduledFor: ts('scheduled_for').notNull(),
    paperIds: text('paper_ids').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.period] }), index('sent_papers_scheduled_for_idx').using('brin', t.scheduledFor)],
);

export const auditVias = ['page', 'one-click', 'api', 'bounce', 'admin', 'cli', 'import', 'system'] as const;
export type AuditVia = (typeof auditVias)[number];

/** Every subscriber state change: who, what, when, how. Erased with the subscriber. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    via: text('via', { enum: auditVias }).notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('audit_events_subscriber_idx').on(t.subscriberId, t.at)],
);

export const runKinds = ['ingest', 'send'] as const;
export type RunKind = (typeof runKinds)[number];

/** Finished ingest and send runs, for "last successful ingest/send" and the admin page. */
export const runs = pgTable(
  'runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: runKinds }).notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at').notNull().defaultNow(),
    stats: jsonb('stats').$type<Record<string, number | string>>().notNull(),
  },
  (t) => [index('runs_kind_finished_idx').on(t.kind, t.finishedAt)],
);

/**
 * Admin sessions ended by logging out. A session cookie is signed, not stored
 * (src/admin/session.ts); one named here is refused until it would have
 * expired anyway, when its row is deleted.
 */
export const adminSessionRevocations = pgTable('admin_session_revocations', {
  sessionId: text('session_id').primaryKey(),
  expiresAt: ts('expires_at').notNull(),
});

/**
 * The reader's learned profile (src/profile/). A vote or click names its paper
 * by id; ranking learns over the paper's features as the papers table has
 * them (papers are never pruned), read once per send run for every reader
 * who voted on it, so a vote costs a few dozen bytes, not a copy of the
 * paper. All of it goes with the subscriber (ON DELETE CASCADE) and is in
 * their export.
 */
export const voteKinds = ['more', 'less'] as const;
export type VoteKind = (typeof voteKinds)[number];

/** The features of a voted or clicked paper that affinity is learned over (profile/features.ts snapshotOf). */
export interface PaperSnapshot {
  title: string;
  topics: string[];
  aiKeywords: string[];
  terms: string[];
  organisation: string | null;
  authors: string[];
}

/** More like this / Less like this: one per reader and paper, the latest wins. */
export const profileVotes = pgTable(
  'profile_votes',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: text('paper_id').notNull(),
    vote: text('vote', { enum: voteKinds }).notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.paperId] })],
);

export const ruleStances = ['follow', 'mute'] as const;
export type RuleStance = (typeof ruleStances)[number];
export const ruleKinds = ['organisation', 'author', 'topic', 'keyword'] as const;
export type RuleKind = (typeof ruleKinds)[number];

/**
 * Follows and mutes of organisations, authors and topics, and negative
 * keywords (a muted keyword: "not: diffusion"). `key` is the value
 * lower-cased, so "NVIDIA" and "nvidia" are one rule; `value` keeps the
 * reader's spelling for display.
 */
export const profileRules = pgTable(
  'profile_rules',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ruleKinds }).notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    stance: text('stance', { enum: ruleStances }).notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.kind, t.key] })],
);

/** Clicks through the signed redirect (CLICK_TRACKING=on): a weak positive, one row per reader and paper. */
export const profileClicks = pgTable(
  'profile_clicks',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: text('paper_id').notNull(),
    clicks: integer('clicks').notNull().default(1),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.paperId] })],
);
