/** The per-reader ordering, on plain features: pure, so no database here. */
import { describe, expect, it } from 'vitest';
import type { PaperSnapshot } from '../../src/db/schema.ts';
import type { PaperFeatures } from '../../src/digest/features.ts';
import { paperFeatures, snapshotOf } from '../../src/profile/features.ts';
import { featureKeys, KIND_WEIGHT } from '../../src/profile/affinity.ts';
import { FOLLOW_LIMIT, orderForReader } from '../../src/profile/order.ts';
import { emptyProfile, type Profile, type Rule } from '../../src/profile/profile.ts';

const now = new Date('2025-12-16T09:00:00Z');
const day = 86_400_000;

let n = 0;
function paper(over: { title?: string; summary?: string; topics?: string[]; aiKeywords?: string[]; org?: string; authors?: string[]; upvotes?: number; score?: number }): PaperFeatures {
  const id = `2512.${String(++n).padStart(5, '0')}`;
  const upvotes = over.upvotes ?? 10;
  return paperFeatures({
    id,
    title: over.title ?? `Generic study number ${n}`,
    summary: over.summary ?? 'We evaluate things on benchmarks.',
    topics: over.topics ?? ['llm'],
    aiKeywords: over.aiKeywords ?? [],
    authors: over.authors ?? [`Author ${n}`],
    organizationName: over.org ?? null,
    upvotes,
    score: over.score ?? upvotes / 100,
  });
}

const vote = (p: PaperFeatures, kind: 'more' | 'less', ageDays = 0) => ({ paperId: p.id, vote: kind, paper: snapshotOf(p) as PaperSnapshot, at: new Date(now.getTime() - ageDays * day) });
const rule = (kind: Rule['kind'], value: string, stance: Rule['stance']): Rule => ({ kind, key: value.toLowerCase(), value, stance, at: now });
const profileWith = (p: Partial<Profile>): Profile => ({ ...emptyProfile(), ...p });

/** Today's order: by trending score, then upvotes (as the candidate query). */
const today = (papers: PaperFeatures[]) => [...papers].sort((a, b) => b.trending - a.trending || b.upvotes - a.upvotes);

describe('orderForReader', () => {
  const window = today(Array.from({ length: 30 }, (_, i) => paper({ upvotes: 100 - i * 3 })));

  it('without signals keeps exactly today\'s order and names trending', () => {
    const out = orderForReader(emptyProfile(), { matching: window, window, size: 10, now });
    expect(out.map((o) => o.paper.id)).toEqual(window.slice(0, 10).map((p) => p.id));
    expect(out[0]!.why).toBe(`Trending: ${window[0]!.upvotes} upvotes`);
    // Today's why-line stays when the caller gives it.
    const kept = orderForReader(emptyProfile(), { matching: window, window, size: 2, now, todayWhy: () => 'Matches your topics: Language models' });
    expect(kept.map((o) => o.why)).toEqual(['Matches your topics: Language models', 'Matches your topics: Language models']);
  });

  it('moves papers like a liked one up and names it with what they share', () => {
    const liked = paper({ title: 'FlashDecoding++: Faster Large Language Model Inference on GPUs', aiKeywords: ['speculative decoding', 'quantization'], upvotes: 5, score: 0.05 });
    const alike = paper({ title: 'Draft trees for decoding', aiKeywords: ['speculative decoding', 'quantization', 'draft model'], upvotes: 4, score: 0.04 });
    const papers = today([...window, alike]);
    const out = orderForReader(profileWith({ votes: [vote(liked, 'more')] }), { matching: papers, window: papers, size: 10, now });
    const hit = out.find((o) => o.paper.id === alike.id);
    expect(hit).toBeDefined();
    expect(hit!.why).toBe("Because you liked 'FlashDecoding++…' (speculative decoding, quantization)");
    // The rest keep their trending order and why-line.
    const rest = out.filter((o) => o.paper.id !== alike.id);
    expect(rest.map((o) => o.paper.id)).toEqual(window.slice(0, 9).map((p) => p.id));
    expect(rest[0]!.why).toMatch(/^Trending: \d+ upvotes$/);
  });

  it('moves papers like a disliked one down', () => {
    const disliked = paper({ aiKeywords: ['diffusion transformer'], upvotes: 1 });
    const top = paper({ aiKeywords: ['diffusion transformer'], upvotes: 500, score: 2 });
    const papers = today([...window, top]);
    expect(orderForReader(emptyProfile(), { matching: papers, window: papers, size: 10, now })[0]!.paper.id).toBe(top.id);
    const out = orderForReader(profileWith({ votes: [vote(disliked, 'less')] }), { matching: papers, window: papers, size: 10, now });
    expect(out.map((o) => o.paper.id)).not.toContain(top.id);
  });

  it('older votes count less', () => {
    const liked = paper({ aiKeywords: ['mixture of experts'] });
    const alike = paper({ aiKeywords: ['mixture of experts'], upvotes: 1, score: 0.05 });
    const papers = today([...window, alike]);
    const rankOf = (ageDays: number) =>
      orderForReader(profileWith({ votes: [vote(liked, 'more', ageDays)] }), { matching: papers, window: papers, size: 31, now }).findIndex((o) => o.paper.id === alike.id);
    expect(rankOf(0)).toBeLessThan(rankOf(30));
    expect(rankOf(30)).toBeLessThan(rankOf(120));
  });

  it("brings in a followed organisation's low-upvote paper from outside the reader's topics, up to a few", () => {
    const nvidia = Array.from({ length: 5 }, (_, i) => paper({ org: 'NVIDIA', topics: ['robotics'], upvotes: i, score: i / 1000 }));
    const all = today([...window, ...nvidia]);
    const out = orderForReader(profileWith({ rules: [rule('organisation', 'NVIDIA', 'follow')] }), { matching: window, window: all, size: 10, now });
    const followed = out.filter((o) => o.paper.organisation === 'NVIDIA');
    expect(followed).toHaveLength(FOLLOW_LIMIT);
    expect(followed.map((o) => o.paper.upvotes)).toEqual([4, 3, 2]);
    expect(followed[0]!.why).toBe('From NVIDIA, which you follow');
    expect(out).toHaveLength(10);
  });

  it('never returns a paper already sent, even a followed one', () => {
    const nvidia = [paper({ org: 'NVIDIA', upvotes: 2, score: 0.02 }), paper({ org: 'NVIDIA', upvotes: 1, score: 0.01 })];
    const all = today([...window, ...nvidia]);
    const sent = new Set([nvidia[0]!.id, window[0]!.id]);
    const out = orderForReader(profileWith({ rules: [rule('organisation', 'NVIDIA', 'follow')] }), { matching: window.filter((p) => !sent.has(p.id)), window: all, sent, size: 10, now });
    const ids = out.map((o) => o.paper.id);
    expect(ids).toContain(nvidia[1]!.id);
    expect(ids).not.toContain(nvidia[0]!.id);
    expect(ids).not.toContain(window[0]!.id);
  });

  it('follows an author whatever the case', () => {
    const byTri = paper({ authors: ['Tri Dao', 'Someone'], upvotes: 0, score: 0 });
    const all = today([...window, byTri]);
    const out = orderForReader(profileWith({ rules: [rule('author', 'tri dao', 'follow')] }), { matching: window, window: all, size: 10, now });
    expect(out.find((o) => o.paper.id === byTri.id)?.why).toBe('By tri dao, whom you follow');
  });

  it('never lets in a muted topic, organisation or a negative keyword, even when liked', () => {
    const vision = paper({ topics: ['llm', 'vision'], upvotes: 900, score: 50 });
    const diffusion = paper({ title: 'Diffusion Models for text', upvotes: 800, score: 40 });
    const muted = paper({ org: 'Acme', upvotes: 700, score: 30 });
    const all = today([...window, vision, diffusion, muted]);
    const profile = profileWith({
      votes: [vote(vision, 'more'), vote(diffusion, 'more')],
      rules: [rule('topic', 'vision', 'mute'), rule('keyword', 'diffusion', 'mute'), rule('organisation', 'Acme', 'mute')],
    });
    const out = orderForReader(profile, { matching: all, window: all, size: 33, now });
    const ids = out.map((o) => o.paper.id);
    expect(ids).not.toContain(vision.id);
    expect(ids).not.toContain(diffusion.id);
    expect(ids).not.toContain(muted.id);
    expect(ids).toHaveLength(30);
    // Without signals too.
    const quiet = orderForReader(profileWith({ rules: [rule('keyword', 'diffusion', 'mute')] }), { matching: all, window: all, size: 33, now });
    expect(quiet.map((o) => o.paper.id)).not.toContain(diffusion.id);
  });

  it('is deterministic', () => {
    const liked = paper({ aiKeywords: ['retrieval'], title: 'Retrieval for agents' });
    const profile = profileWith({ votes: [vote(liked, 'more'), vote(window[3]!, 'less')] });
    const a = orderForReader(profile, { matching: window, window, size: 10, now });
    const b = orderForReader(profile, { matching: [...window], window: [...window], size: 10, now });
    expect(b).toEqual(a);
  });

  it('ranks by the README formula, ln(trending) + 8 · A(p), worked out here the plain way', () => {
    // Twenty readers, each with a dozen votes of either kind and ages up to two months, over sixty papers with shared words and keywords.
    const words = ['decoding', 'speculative', 'retrieval', 'agents', 'diffusion', 'vision', 'robot', 'speech', 'scaling', 'reasoning', 'quantization', 'memory'];
    const pool = Array.from({ length: 60 }, (_, i) =>
      paper({
        title: `${words[i % 12]} ${words[(i * 5) % 12]} study`,
        summary: `We look at ${words[(i * 7) % 12]} and ${words[(i * 11 + 3) % 12]}.`,
        aiKeywords: [words[(i * 3) % 12]!, words[(i + 4) % 12]!],
        org: i % 4 ? undefined : `Lab ${i % 3}`,
        upvotes: 5 + ((i * 37) % 90),
        score: 1 + ((i * 7919) % 1000) / 97,
      }),
    );
    const all = today(pool);
    const n = all.length;
    const df = new Map<string, number>();
    for (const p of all) for (const k of featureKeys(p)) df.set(k, (df.get(k) ?? 0) + 1);
    const rarity = (k: string) => Math.log((n + 1) / (df.get(k)! + 1)) / Math.log(n + 1);
    for (let r = 0; r < 20; r++) {
      const votes = Array.from({ length: 12 }, (_, k) => vote(all[(r * 7 + k * 5) % n]!, (r + k) % 3 ? 'more' : 'less', (r * 3 + k * 5) % 60));
      const unique = [...new Map(votes.map((v) => [v.paperId, v])).values()];
      const W = new Map<string, number>();
      for (const side of ['more', 'less'] as const) {
        const mine = unique.filter((v) => v.vote === side).map((v) => ({ keys: featureKeys(v.paper), w: 0.5 ** ((now.getTime() - v.at.getTime()) / day / 30) }));
        const m = mine.reduce((sum, s) => sum + s.w, 0);
        for (const s of mine) for (const k of s.keys) W.set(k, (W.get(k) ?? 0) + (side === 'more' ? 1 : -1) * (m / (m + 2)) * (s.w / m));
      }
      const A = (p: PaperFeatures) => featureKeys(p).reduce((sum, k) => sum + KIND_WEIGHT[k[0] as keyof typeof KIND_WEIGHT] * rarity(k) * (W.get(k) ?? 0), 0);
      const matching = all.filter((_, i) => (i + r) % 3 !== 0);
      const expected = matching
        .map((p) => ({ id: p.id, score: Math.log(p.trending) + 8 * A(p) }))
        .sort((a, b) => b.score - a.score);
      // The data has no near-ties at the cut, so summing in another order cannot change the answer.
      expect(expected[9]!.score - expected[10]!.score).toBeGreaterThan(1e-9);
      const got = orderForReader(profileWith({ votes: unique }), { matching, window: all, size: 10, now }).map((o) => o.paper.id);
      expect(new Set(got)).toEqual(new Set(expected.slice(0, 10).map((e) => e.id)));
      expect(got).toEqual(expected.slice(0, 10).map((e) => e.id));
    }
  });
});
