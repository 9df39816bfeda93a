/**
 * A paper withdrawn on Hugging Face after it was chosen for a queued delivery
 * is left out when the delivery is sent (real Postgres, real SMTP sink).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, papers, sentPapers, subscribers } from '../../src/db/schema.ts';
import { claimDeliveries } from '../../src/delivery/deliveries.repo.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { sendBatch } from '../../src/delivery/send-batch.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { selectDigests } from '../../src/digest/select.ts';
import { cachesForRuns } from '../../src/jobs/context.ts';
import { silentLogger } from '../../src/log.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { startSendSetup, type SendSetup } from '../helpers/send-setup.ts';

let setup: SendSetup;
let database: SendSetup['database'];
let sink: SendSetup['sink'];
let ctx: SendSetup['ctx'];

beforeAll(async () => {
  setup = await startSendSetup({ secret: 'w'.repeat(40), seed: (db) => runIngest({ db, source: fileSource('seeds/papers.json'), days: [undefined] }) });
  ({ database, sink, ctx } = setup);
});
afterAll(() => setup?.close());

describe('a paper withdrawn after it was chosen', () => {
  it('is left out of the digest at send time', async () => {
    const [s] = await database.db.insert(subscribers).values({ email: 'reader@example.org', status: 'active', sendHour: 7 }).returning();
    const [planned] = await planDeliveries(database.db, { now: new Date(), day: '2025-12-16' });
    const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-16');
    const [chosen] = await selectDigests(database.db, [{ subscriber: { id: s!.id, topics: [], keywords: [] }, period }], ctx.config);
    const ids = (chosen as { papers: { id: string }[] }).papers.map((p) => p.id);
    expect(ids.length).toBeGreaterThan(3);
    // Chosen and claimed by an attempt whose lease ran out before it sent (the claim records the papers).
    await claimDeliveries(database.db, [{ id: planned!.id, paperIds: ids }], new Date(Date.now() - 120_000), 10);
    const withdrawn = ids[0]!;
    await database.db.update(papers).set({ withdrawnAt: sql`now()` }).where(eq(papers.id, withdrawn));

    const outcome = await sendBatch({ db: database.db, log: silentLogger, mailer: ctx.mailer, config: ctx.config, now: () => new Date(), ...cachesForRuns(ctx)('withdrawn') }, [planned!.id]);
    expect(outcome).toMatchObject({ claimed: 1, sent: 1 });
    for (const deadline = Date.now() + 10_000; sink.messages.length < 1 && Date.now() < deadline; ) await sleep(50);
    const mail = sink.messages.find((m) => m.to[0] === 'reader@example.org')!;
    // Demo papers link to a title search (their ids belong to other papers), so look for titles.
    const titleOf = async (id: string) => (await database.db.select({ t: papers.title }).from(papers).where(eq(papers.id, id)))[0]!.t;
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    expect(oneLine(mail.parsed.text ?? '')).toContain(await titleOf(ids[1]!));
    expect(oneLine(mail.parsed.text ?? '')).not.toContain(await titleOf(withdrawn));
    expect(mail.parsed.html).not.toContain(encodeURIComponent(`"${await titleOf(withdrawn)}"`));
    // The ledger records the papers sent, without the withdrawn one (the sent row holds none).
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.id, planned!.id));
    expect(row).toMatchObject({ status: 'sent', chosenPapers: null });
    const [ledger] = await database.db.select().from(sentPapers).where(eq(sentPapers.subscriberId, s!.id));
    expect(ledger?.paperIds).toContain(ids[1]!);
    expect(ledger?.paperIds).not.toContain(withdrawn);
  });
});
