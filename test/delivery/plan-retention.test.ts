/**
 * Retention: the daily job deletes finished deliveries older than
 * DELIVERY_RETENTION_DAYS and nothing newer, and the no-repeat ledger outlives
 * them, so a paper sent before the cut-off still stays out of the next digest.
 * Sends go through the real send path to a real SMTP sink.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { deliveries, sentPapers, subscribers } from '../../src/db/schema.ts';
import { queryCandidates, WINDOW_DAYS } from '../../src/digest/candidates.ts';
import { preferenceMix } from '../../src/digest/select.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import type { JobContext } from '../../src/jobs/context.ts';
import { planJob, retentionJob } from '../../src/jobs/processors.ts';
import { runBatchesInline } from '../../src/jobs/send-run.ts';
import { silentLogger } from '../../src/log.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sink: SmtpSink;
beforeAll(async () => {
  [database, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
});
afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

const contextAt = (now: string): JobContext => {
  // One day of deliveries kept: shorter than the daily candidate window (3 days), so only the ledger can remember.
  const config = loadConfig({ DATABASE_URL: database.url, SECRET: 'k'.repeat(40), SMTP_URL: sink.url, DELIVERY_RETENTION_DAYS: '1' });
  const mailer = createSmtpMailer({ url: sink.url, from: config.MAIL_FROM });
  return { config, db: database.db, log: silentLogger, mailer, secrets: { current: 'k'.repeat(40) }, now: () => new Date(now) };
};
const paperIdsOf = (html: string) => [...new Set([...html.matchAll(/huggingface\.co\/papers\/(\d{4}\.\d{5})/g)].map((m) => m[1]!))].sort();

it('prunes finished deliveries past the retention, touches nothing newer, and the ledger still keeps their papers out', async () => {
  // Twelve papers in both digests' windows, three only in the later one's.
  const both = Array.from({ length: 12 }, (_, i) => makePaper({ id: `2512.${String(100 + i).padStart(5, '0')}`, dailyAt: new Date('2025-12-13T12:00:00Z'), upvotes: 50 - i }));
  const later = Array.from({ length: 3 }, (_, i) => makePaper({ id: `2512.${String(200 + i).padStart(5, '0')}`, dailyAt: new Date('2025-12-15T12:00:00Z'), upvotes: 5 }));
  await upsertPapers(database.db, [...both, ...later]);
  const [reader, other] = await database.db
    .insert(subscribers)
    .values([
      { email: 'reader@example.org', status: 'active' as const, sendHour: 7 },
      { email: 'other@example.org', status: 'paused' as const, sendHour: 7 },
    ])
    .returning();

  // 14 December: the first digest, through the real send path.
  const first = contextAt('2025-12-14T07:05:00Z');
  await runBatchesInline(first, await planJob(first, '2025-12-14'));
  const firstMail = await sink.waitFor((m) => m.to.includes('reader@example.org'));
  const sentBefore = paperIdsOf(String(firstMail.parsed.html));
  expect(sentBefore).toHaveLength(10);

  // Beside it: a delivery finished after the cut-off, and an old one still in the hands of a sender.
  const [newer] = await database.db
    .insert(deliveries)
    .values({ subscriberId: other!.id, period: '2025-12-15', status: 'skipped', reason: 'subscriber is paused', scheduledFor: new Date('2025-12-15T07:00:00Z'), createdAt: new Date('2025-12-15T07:00:00Z'), updatedAt: new Date('2025-12-15T07:01:00Z') })
    .returning();
  const [stuck] = await database.db
    .insert(deliveries)
    .values({ subscriberId: other!.id, period: '2025-12-01', status: 'sending', leaseUntil: new Date('2099-01-01T00:00:00Z'), scheduledFor: new Date('2025-12-01T07:00:00Z'), createdAt: new Date('2025-12-01T07:00:00Z'), updatedAt: new Date('2025-12-01T07:00:00Z') })
    .returning();

  // 16 December, 06:00: the cut-off is 15 December 06:00.
  const counts = await retentionJob(contextAt('2025-12-16T06:00:00Z'));
  expect(counts.deliveries).toBe(1);
  const left = await database.db.select().from(deliveries);
  expect(left.filter((d) => d.subscriberId === reader!.id)).toEqual([]);
  expect(left.find((d) => d.id === newer!.id)).toEqual(newer);
  expect(left.find((d) => d.id === stuck!.id)).toEqual(stuck);
  // The ledger row of the pruned delivery is inside the daily window: kept.
  const ledger = await database.db.select().from(sentPapers).where(eq(sentPapers.subscriberId, reader!.id));
  expect(ledger.map((l) => [l.period, [...l.paperIds].sort()])).toEqual([['2025-12-14', sentBefore]]);

  // Those ten papers are still candidates on 16 December…
  const period16 = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-16');
  const mix = { ...preferenceMix(reader!), asOf: period16.asOf, windowDays: WINDOW_DAYS.daily, gravity: first.config.TRENDING_GRAVITY };
  const candidates = (await queryCandidates(database.db, mix)).map((p) => p.id);
  expect(candidates).toEqual(expect.arrayContaining(sentBefore));
  // …but the next digest leaves them out, though their deliveries are gone.
  const next = contextAt('2025-12-16T07:05:00Z');
  const totals = await runBatchesInline(next, await planJob(next, '2025-12-16'));
  expect(totals.sent).toBe(1);
  const secondMail = await sink.waitFor((m) => m.to.includes('reader@example.org') && m !== firstMail);
  const sentAfter = paperIdsOf(String(secondMail.parsed.html));
  expect(sentAfter).toEqual([...both.slice(10).map((p) => p.id), ...later.map((p) => p.id)].sort());
  expect(sentAfter.filter((id) => sentBefore.includes(id))).toEqual([]);

  // Past the daily window (3 days, and a day), ledger rows go too: the 14th's on the 19th, the 16th's after.
  expect(await retentionJob(contextAt('2025-12-19T07:06:00Z'))).toEqual({ deliveries: 2, ledger: 1 });
  expect((await database.db.select().from(sentPapers)).map((l) => l.period)).toEqual(['2025-12-16']);
  expect(await retentionJob(contextAt('2025-12-21T07:06:00Z'))).toEqual({ deliveries: 0, ledger: 1 });
  expect(await database.db.select().from(sentPapers)).toEqual([]);
  expect((await database.db.select().from(deliveries)).map((d) => d.id)).toEqual([stuck!.id]);
});
