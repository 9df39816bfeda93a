/**
 * The profile in Postgres: what the store writes, loadProfiles reads back in
 * one batch, ranking uses it (a followed organisation's low-upvote paper gets
 * in, a muted topic and a negative keyword never do, the why-line names the
 * driver), and the subscriber's export and erase cover all of it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { trendingScore } from '../../src/papers/rank.ts';
import { paperFeatures } from '../../src/profile/features.ts';
import { createOrderReader } from '../../src/profile/order.ts';
import { loadProfiles, SignalPapers } from '../../src/profile/profile.ts';
import { recordClick, recordVote, setRule } from '../../src/profile/store.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';
import { activeSubscriber } from '../helpers/subscribers.ts';

let t: TestApp;
const now = new Date('2025-12-16T09:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const inputs = [
  makePaper({ id: '2512.40001', title: 'FlashDecoding++: Faster LLM Inference on GPUs', aiKeywords: ['speculative decoding', 'quantization'], upvotes: 40, dailyAt: hoursAgo(30) }),
  makePaper({ id: '2512.40002', title: 'Draft trees for LLM decoding', aiKeywords: ['speculative decoding', 'quantization', 'draft model'], upvotes: 2, dailyAt: hoursAgo(20) }),
  makePaper({ id: '2512.40003', title: 'LLM agents that browse', upvotes: 150, dailyAt: hoursAgo(10) }),
  makePaper({ id: '2512.40004', title: 'Diffusion language models', upvotes: 120, dailyAt: hoursAgo(10) }),
  makePaper({ id: '2512.40005', title: 'A robot arm from NVIDIA', organizationName: 'NVIDIA', upvotes: 1, dailyAt: hoursAgo(40) }),
  makePaper({ id: '2512.40006', title: 'LLM vision encoders for image understanding', upvotes: 90, dailyAt: hoursAgo(12) }),
  ...Array.from({ length: 8 }, (_, i) => makePaper({ id: `2512.4010${i}`, title: `LLM scaling study ${i}`, upvotes: 60 - i * 5, dailyAt: hoursAgo(15) })),
];

beforeAll(async () => {
  t = await createTestApp();
  await upsertPapers(t.database.db, inputs);
});
afterAll(() => t?.close());

/** The window's features as a send run computes them: stored rows, today's scores, today's order. */
async function window() {
  const rows = await queryRows<Record<string, unknown>>(t.database.db, sql`SELECT * FROM papers ORDER BY id`);
  return rows
    .map((r) =>
      paperFeatures({
        id: r.id as string,
        title: r.title as string,
        summary: r.summary as string,
        topics: r.topics as string[],
        aiKeywords: r.ai_keywords as string[],
        authors: r.authors as string[],
        organizationName: r.organization_name as string | null,
        upvotes: r.upvotes as number,
        score: trendingScore(r.upvotes as number, new Date(r.daily_at as string), now, 1.5),
      }),
    )
    .sort((a, b) => b.trending - a.trending || b.upvotes - a.upvotes);
}

describe('the stored profile in ranking', () => {
  it('loads many readers at once and orders each by their own profile', async () => {
    const [liker, follower, muter, quiet] = await Promise.all([activeSubscriber(t), activeSubscriber(t), activeSubscriber(t), activeSubscriber(t)]);
    await recordVote(t.database.db, liker.id, '2512.40001', 'more', now);
    await setRule(t.database.db, follower.id, 'organisation', 'nvidia', 'follow', now);
    await setRule(t.database.db, muter.id, 'topic', 'Computer vision', 'mute', now);
    await setRule(t.database.db, muter.id, 'keyword', 'diffusion', 'mute', now);
    await recordClick(t.database.db, muter.id, '2512.40003', now);

    const profiles = await loadProfiles(t.database.db, [liker.id, follower.id, muter.id, quiet.id]);
    expect(profiles.get(quiet.id)).toEqual({ votes: [], clicks: [], rules: [] });
    expect(profiles.get(muter.id)!.clicks).toMatchObject([{ paperId: '2512.40003', clicks: 1 }]);
    const order = createOrderReader(profiles);
    const all = await window();
    // The reader follows the LLM topic: everything but the NVIDIA robot paper matches.
    const matching = all.filter((p) => p.topics.includes('llm'));
    expect(matching.map((p) => p.id)).not.toContain('2512.40005');
    const run = (subscriberId: string) => order({ subscriberId, matching, window: all, size: 5, now });

    const today = run(quiet.id);
    expect(today.map((o) => o.paper.id)).toEqual(matching.slice(0, 5).map((p) => p.id));
    expect(today[0]!.why).toBe('Trending: 150 upvotes');

    const liked = run(liker.id);
    const draft = liked.find((o) => o.paper.id === '2512.40002');
    expect(draft?.why).toBe("Because you liked 'FlashDecoding++…' (speculative decoding, quantization)");
    expect(today.map((o) => o.paper.id)).not.toContain('2512.40002');

    const followed = run(follower.id).find((o) => o.paper.id === '2512.40005');
    expect(followed?.why).toBe('From nvidia, which you follow');

    const muted = run(muter.id).map((o) => o.paper.id);
    expect(muted).not.toContain('2512.40004'); // "Diffusion language models": not: diffusion
    expect(muted).not.toContain('2512.40006'); // tagged Computer vision
    expect(muted).toHaveLength(5);
  });

  it('learns over the voted paper as papers holds it, read once for every reader of a run', async () => {
    const [a, b] = await Promise.all([activeSubscriber(t), activeSubscriber(t)]);
    await recordVote(t.database.db, a.id, '2512.40002', 'more', now);
    await recordVote(t.database.db, b.id, '2512.40002', 'less', now);
    await recordClick(t.database.db, b.id, '2512.40002', now);
    const run = new SignalPapers();
    const first = await loadProfiles(t.database.db, [a.id], run);
    const second = await loadProfiles(t.database.db, [b.id], run);
    const paper = first.get(a.id)!.votes[0]!.paper;
    expect(paper).toMatchObject({ title: 'Draft trees for LLM decoding', aiKeywords: ['speculative decoding', 'quantization', 'draft model'] });
    // The same object for every vote and click on it in the run: its feature keys are worked out once.
    expect(second.get(b.id)!.votes[0]!.paper).toBe(paper);
    expect(second.get(b.id)!.clicks[0]!.paper).toBe(paper);
    // Read back to the millisecond (votes come as one string per reader).
    expect(first.get(a.id)!.votes[0]).toMatchObject({ paperId: '2512.40002', vote: 'more', at: now });
    expect(second.get(b.id)!.votes[0]).toMatchObject({ paperId: '2512.40002', vote: 'less', at: now });
    // A vote row is the paper id, the vote and its time: no copy of the paper.
    const columns = await queryRows<{ column_name: string }>(t.database.db, sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'profile_votes' ORDER BY column_name`);
    expect(columns.map((c) => c.column_name)).toEqual(['at', 'paper_id', 'subscriber_id', 'vote']);
  });

  it('export includes everything learned and erase removes it', async () => {
    const s = await activeSubscriber(t);
    await recordVote(t.database.db, s.id, '2512.40001', 'less', now);
    await setRule(t.database.db, s.id, 'author', 'Tri Dao', 'follow', now);
    await setRule(t.database.db, s.id, 'keyword', 'diffusion', 'mute', now);
    await recordClick(t.database.db, s.id, '2512.40003', now);
    const auth = { authorization: `Bearer ${s.token('preferences')}` };
    const exp = (await t.app.inject({ url: '/api/preferences/export', headers: auth })).json();
    expect(exp.profile.votes).toMatchObject([{ paperId: '2512.40001', vote: 'less', title: 'FlashDecoding++: Faster LLM Inference on GPUs' }]);
    expect(exp.profile.rules.map((r: { kind: string; value: string; stance: string }) => [r.kind, r.value, r.stance])).toEqual([
      ['keyword', 'diffusion', 'mute'],
      ['author', 'Tri Dao', 'follow'],
    ]);
    expect(exp.profile.clicks).toMatchObject([{ paperId: '2512.40003', clicks: 1 }]);

    expect((await t.app.inject({ method: 'DELETE', url: '/api/subscriber', headers: auth })).statusCode).toBe(200);
    const left = await queryRows<{ n: number }>(t.database.db, sql`
      SELECT (SELECT count(*) FROM profile_votes WHERE subscriber_id = ${s.id})
           + (SELECT count(*) FROM profile_rules WHERE subscriber_id = ${s.id})
           + (SELECT count(*) FROM profile_clicks WHERE subscriber_id = ${s.id}) AS n`);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it('names the problem with a bad rule and stores nothing', async () => {
    const s = await activeSubscriber(t);
    await expect(setRule(t.database.db, s.id, 'topic', 'Cooking', 'mute', now)).rejects.toThrow('"Cooking" is not a topic');
    await expect(setRule(t.database.db, s.id, 'keyword', '   ', 'mute', now)).rejects.toThrow('the keyword is empty');
    await expect(setRule(t.database.db, s.id, 'organisation', 'x'.repeat(101), 'follow', now)).rejects.toThrow('longer than 100 characters');
    await expect(recordVote(t.database.db, s.id, '2512.00000', 'more', now)).rejects.toThrow('no paper 2512.00000 is stored');
    expect((await loadProfiles(t.database.db, [s.id])).get(s.id)).toEqual({ votes: [], clicks: [], rules: [] });
  });

  it('names a vote row it cannot read rather than misreading it', async () => {
    const s = await activeSubscriber(t);
    // Only a hand-written row can hold this: recordVote takes stored papers' ids, which have no spaces.
    await t.database.db.execute(sql`INSERT INTO profile_votes (subscriber_id, paper_id, vote, at) VALUES (${s.id}, 'not an id', 'more', ${now.toISOString()})`);
    await expect(loadProfiles(t.database.db, [s.id])).rejects.toThrow(`profile_votes of subscriber ${s.id}: unreadable vote "not an id"`);
  });

  it("reads a signal's time to the millisecond, rounded down, whatever its microseconds", async () => {
    const s = await activeSubscriber(t);
    const times = ['2025-12-16T07:00:00.123999Z', '2025-12-16T07:00:00.124Z', '2025-12-15T23:59:59.999999Z', '1999-01-01T00:00:00Z'];
    const ids = ['2512.40001', '2512.40002', '2512.40003', '2512.40004'];
    for (const [i, at] of times.entries()) await t.database.db.execute(sql`INSERT INTO profile_votes (subscriber_id, paper_id, vote, at) VALUES (${s.id}, ${ids[i]}, 'more', ${at}::timestamptz)`);
    const votes = (await loadProfiles(t.database.db, [s.id])).get(s.id)!.votes;
    expect(Object.fromEntries(votes.map((v) => [v.paperId, v.at.toISOString()]))).toEqual({
      '2512.40001': '2025-12-16T07:00:00.123Z',
      '2512.40002': '2025-12-16T07:00:00.124Z',
      '2512.40003': '2025-12-15T23:59:59.999Z',
      '2512.40004': '1999-01-01T00:00:00.000Z',
    });
    // Clicks and rules read their times the same way.
    await t.database.db.execute(sql`INSERT INTO profile_clicks (subscriber_id, paper_id, clicks, at) VALUES (${s.id}, '2512.40005', 1, '2025-12-16T07:00:00.123999Z')`);
    await t.database.db.execute(sql`INSERT INTO profile_rules (subscriber_id, kind, key, value, stance, at) VALUES (${s.id}, 'organisation', 'nvidia', 'NVIDIA', 'follow', '2025-12-15T23:59:59.999999Z')`);
    const profile = (await loadProfiles(t.database.db, [s.id])).get(s.id)!;
    expect(profile.clicks.map((c) => c.at.toISOString())).toEqual(['2025-12-16T07:00:00.123Z']);
    expect(profile.rules.map((r) => r.at.toISOString())).toEqual(['2025-12-15T23:59:59.999Z']);
  });
});
