/**
 * Personal ranking through the real send path: a reader's More like this
 * changes the order of their next digest and the why-line of what it brought
 * in, while a reader with no signals gets today's order and why-lines; with
 * CLICK_TRACKING on, titles link through the reader's counted click (real
 * Postgres, a real SMTP server in its own process).
 */
import { and, eq } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentPapers, subscribers } from '../../src/db/schema.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { sendBatch } from '../../src/delivery/send-batch.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { selectDigest } from '../../src/digest/select.ts';
import { cachesForRuns, type JobContext } from '../../src/jobs/context.ts';
import { silentLogger } from '../../src/log.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { CLICK_TRACKING_NOTICE } from '../../src/profile/click.ts';
import { verifyFeedback } from '../../src/profile/feedback-token.ts';
import { recordVote } from '../../src/profile/store.ts';
import { makePaper } from '../helpers/papers.ts';
import { startSendSetup, type SendSetup } from '../helpers/send-setup.ts';

const day = '2025-12-16';
// The planner runs after the 07:00 send hour; the papers appeared in the 3 days before it.
const now = new Date(`${day}T09:00:00Z`);
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const papers = [
  makePaper({ id: '2512.40001', title: 'FlashDecoding++: Faster LLM Inference on GPUs', aiKeywords: ['speculative decoding', 'quantization'], upvotes: 40, dailyAt: hoursAgo(30) }),
  makePaper({ id: '2512.40002', title: 'Draft trees for LLM decoding', aiKeywords: ['speculative decoding', 'quantization', 'draft model'], upvotes: 2, dailyAt: hoursAgo(20) }),
  makePaper({ id: '2512.40003', title: 'LLM agents that browse', upvotes: 150, dailyAt: hoursAgo(10) }),
  makePaper({ id: '2512.40004', title: 'Diffusion language models', upvotes: 120, dailyAt: hoursAgo(10) }),
  ...Array.from({ length: 8 }, (_, i) => makePaper({ id: `2512.4010${i}`, title: `LLM scaling study ${i}`, upvotes: 60 - i * 5, dailyAt: hoursAgo(15) })),
];

let setup: SendSetup;
let database: SendSetup['database'];
let sink: SendSetup['sink'];
let ctx: SendSetup['ctx'];

beforeAll(async () => {
  setup = await startSendSetup({ secret: 'p'.repeat(40), env: { DIGEST_SIZE: '5' }, seed: (db) => upsertPapers(db, papers) });
  ({ database, sink, ctx } = setup);
});
afterAll(() => setup?.close());

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe("a reader's profile in the send run", () => {
  it("reorders the voter's digest with the why-line naming the vote, and leaves a reader with no signals on today's order", async () => {
    const [liker, quiet] = await database.db
      .insert(subscribers)
      .values(['liker@example.org', 'quiet@example.org'].map((email) => ({ email, status: 'active' as const, sendHour: 7, topics: ['llm'] })))
      .returning();
    await recordVote(database.db, liker!.id, '2512.40001', 'more', hoursAgo(5));

    const planned = await planDeliveries(database.db, { now, day });
    expect(planned).toHaveLength(2);
    const outcome = await sendBatch({ db: database.db, log: silentLogger, mailer: ctx.mailer, config: ctx.config, now: () => new Date(), ...cachesForRuns(ctx)('personal') }, planned.map((p) => p.id));
    expect(outcome).toMatchObject({ claimed: 2, sent: 2 });
    for (const deadline = Date.now() + 10_000; sink.messages.length < 2 && Date.now() < deadline; ) await sleep(50);

    // What each was sent, from the no-repeat ledger (a sent delivery row lets go of its papers).
    const rows = await database.db.select().from(sentPapers).where(eq(sentPapers.period, day));
    const papersOf = (subscriberId: string) => rows.find((r) => r.subscriberId === subscriberId)!.paperIds;
    const textOf = (to: string) => oneLine(sink.messages.find((m) => m.to[0] === to)!.parsed.text ?? '');

    // No signals: exactly what the one-subscriber SQL selection (today's trending order) picks.
    const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, day);
    const today = await selectDigest(database.db, { subscriber: { id: quiet!.id, topics: ['llm'], keywords: [] }, period }, ctx.config);
    expect(today.kind).toBe('digest');
    const todayIds = (today as { papers: { id: string }[] }).papers.map((p) => p.id);
    expect(papersOf(quiet!.id)).toEqual(todayIds);
    expect(todayIds).not.toContain('2512.40002');
    const quietText = textOf('quiet@example.org');
    // Every card says what it matched, as without a profile.
    const count = (text: string, what: string) => text.split(what).length - 1;
    expect(count(quietText, 'Why: ')).toBe(5);
    expect(count(quietText, 'Why: Matches your topic Language models')).toBe(5);

    // The vote brings in the paper that shares its keywords, ahead of busier ones, and says why.
    const liked = papersOf(liker!.id);
    expect(liked).toContain('2512.40002');
    expect(liked).not.toEqual(todayIds);
    const likerText = textOf('liker@example.org');
    expect(likerText).toContain("Why: Because you liked 'FlashDecoding++…' (speculative decoding, quantization)");
    // The email shows the papers in the recorded order.
    const positions = ['Draft trees for LLM decoding', 'LLM agents that browse'].map((t) => likerText.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions[0]! < positions[1]!).toBe(liked.indexOf('2512.40002') < liked.indexOf('2512.40003'));
  });

  it('with CLICK_TRACKING on, sends title links that count a click for that reader, and the footer says so', async () => {
    const [clicker] = await database.db.insert(subscribers).values({ email: 'clicker@example.org', status: 'active', sendHour: 7, topics: ['llm'] }).returning();
    const planned = await planDeliveries(database.db, { now, day });
    expect(planned).toHaveLength(1);
    const tracked: JobContext = { ...ctx, config: { ...ctx.config, CLICK_TRACKING: 'on' } };
    const outcome = await sendBatch({ db: database.db, log: silentLogger, mailer: ctx.mailer, config: tracked.config, now: () => new Date(), ...cachesForRuns(tracked)('tracked') }, [planned[0]!.id]);
    expect(outcome).toMatchObject({ sent: 1 });
    for (const deadline = Date.now() + 10_000; !sink.messages.some((m) => m.to[0] === 'clicker@example.org') && Date.now() < deadline; ) await sleep(50);
    const mail = sink.messages.find((m) => m.to[0] === 'clicker@example.org')!;
    const html = String(mail.parsed.html);
    const titles = [...html.matchAll(/<a class="pb-title" href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    const [row] = await database.db.select().from(sentPapers).where(and(eq(sentPapers.subscriberId, clicker!.id), eq(sentPapers.period, day)));
    expect(titles).toHaveLength(row!.paperIds.length);
    const claims = titles.map((t) => verifyFeedback(ctx.secrets, new URL(t).searchParams.get('token')));
    expect(claims.map((c) => c.ok && [c.action, c.subscriberId, c.paperId])).toEqual(row!.paperIds.map((id) => ['click', clicker!.id, id]));
    expect(titles.every((t) => t.startsWith('https://papers.example.org/r?token='))).toBe(true);
    expect(oneLine(html)).toContain(CLICK_TRACKING_NOTICE);
    expect(oneLine(mail.parsed.text ?? '')).toContain(CLICK_TRACKING_NOTICE);
  });
});
