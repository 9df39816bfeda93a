/**
 * Does personal ranking learn? Simulated readers, each with a hidden interest
 * (two ai_keywords of one research theme) and five subscribed topics, over 14
 * days of generated papers (60 a day, 3-day window, 10 per email, the
 * no-repeat ledger). Each day a reader presses More like this on every digest
 * paper that matches the interest and Less like this on two that do not.
 * Printed per day: the share of digest papers matching the interest, tuned
 * (orderForReader with the votes so far) vs topic-only (the same reader with
 * no profile: today's order), on the same papers.
 *
 * Targets: days 8–14 tuned ≥ 2× topic-only; readers who never vote get
 * exactly the topic-only digests. Deterministic (seeded), no database: the
 * ordering is a pure function, and the storage has its own tests.
 *   npm run bench -- ranking
 */
import { topicSlugs, type Topic } from '../../src/papers/topics.ts';
import { trendingScore } from '../../src/papers/rank.ts';
import type { PaperFeatures } from '../../src/digest/features.ts';
import { paperFeatures, snapshotOf } from '../../src/profile/features.ts';
import { orderForReader } from '../../src/profile/order.ts';
import { emptyProfile, type Profile } from '../../src/profile/profile.ts';
import { machineLine } from './bench-db.ts';

const DAYS = 14;
const PER_DAY = 60;
const WINDOW_DAYS = 3;
const SIZE = 10;
const READERS = Number(process.env.BENCH_READERS ?? 300);
const SILENT = 50;
const GRAVITY = 1.5;

// Mulberry32: a small seeded generator, so every run sees the same papers and readers.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20251216);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const sample = <T>(xs: readonly T[], k: number) => [...xs].sort(() => rand() - 0.5).slice(0, k);

const STEMS = [
  'speculative decoding', 'kv cache', 'quantization', 'sparse attention', 'mixture of experts', 'state space model', 'linear attention',
  'diffusion transformer', 'flow matching', 'video generation', 'text-to-image', 'image editing', 'consistency model', 'latent diffusion',
  'vision-language model', 'visual grounding', 'ocr', 'document understanding', 'video understanding', 'chart reasoning',
  'reinforcement learning from human feedback', 'reward model', 'policy optimization', 'grpo', 'preference optimization', 'self-play',
  'chain-of-thought', 'test-time scaling', 'math reasoning', 'theorem proving', 'program synthesis', 'code generation',
  'web agent', 'tool use', 'multi-agent', 'gui agent', 'planning', 'memory',
  'speech synthesis', 'speech recognition', 'music generation', 'audio tokenizer', 'voice cloning',
  'jailbreak', 'red teaming', 'alignment', 'watermarking', 'hallucination',
  'robot manipulation', 'embodied agent', 'sim-to-real', 'vision-language-action', 'locomotion',
  'medical imaging', 'clinical notes', 'radiology report', 'protein design',
  'synthetic data', 'data curation', 'benchmark', 'scaling laws', 'tokenization', 'pretraining corpus',
];
const THEMES = Array.from({ length: 28 }, (_, i) => ({
  topic: topicSlugs[i % topicSlugs.length]! as Topic,
  keywords: sample(STEMS, 5),
}));
const ORGS = ['NVIDIA', 'Meta', 'Google DeepMind', 'Alibaba Qwen', 'Microsoft', 'Tsinghua', 'Stanford', null, null, null];
const FILLER = 'We study a scalable framework and evaluate it on standard benchmarks with strong baselines, improving accuracy and efficiency across settings.';

const day0 = Date.UTC(2025, 11, 1, 6);
const papers: (PaperFeatures & { theme: number; dailyAt: Date })[] = [];
for (let d = 0; d < DAYS + WINDOW_DAYS; d++) {
  for (let k = 0; k < PER_DAY; k++) {
    // Popular themes get more papers (Zipf-like), so some interests are rare.
    const theme = Math.min(THEMES.length - 1, Math.floor(THEMES.length * rand() ** 1.6));
    const t = THEMES[theme]!;
    const kws = [...sample(t.keywords, 3), pick(STEMS)];
    const topics = [...new Set([t.topic, ...(rand() < 0.3 ? [pick(topicSlugs)] : [])])];
    const upvotes = Math.floor(Math.exp(rand() * 5.5));
    const dailyAt = new Date(day0 + (d - WINDOW_DAYS) * 86_400_000 + Math.floor(rand() * 86_400_000));
    const id = `25${String(d).padStart(2, '0')}.${String(k).padStart(5, '0')}`;
    const f = paperFeatures({
      id,
      title: `${kws[0]} with ${kws[1]} for ${kws[3]}`,
      summary: `${FILLER} Our method combines ${kws.join(', ')}.`,
      topics,
      aiKeywords: kws,
      authors: [`Author ${Math.floor(rand() * 400)}`, `Author ${Math.floor(rand() * 400)}`],
      organizationName: pick(ORGS),
      upvotes,
      score: 0,
    });
    papers.push({ ...f, theme, dailyAt });
  }
}

interface Reader {
  topics: Topic[];
  interest: string[];
  votes: boolean;
}
const readers: Reader[] = Array.from({ length: READERS + SILENT }, (_, i) => {
  const theme = THEMES[Math.floor(rand() * THEMES.length)]!;
  const others = sample(topicSlugs.filter((t) => t !== theme.topic), 4);
  return { topics: [theme.topic, ...others], interest: sample(theme.keywords, 2), votes: i < READERS };
});
const matches = (r: Reader, p: PaperFeatures) => p.aiKeywords.some((k) => r.interest.includes(k));

/** The papers of the window before `asOf`, with today's trending scores, in today's order. */
function windowAt(asOf: Date): PaperFeatures[] {
  return papers
    .filter((p) => p.dailyAt <= asOf && p.dailyAt.getTime() > asOf.getTime() - WINDOW_DAYS * 86_400_000)
    .map((p) => ({ ...p, trending: trendingScore(p.upvotes, p.dailyAt, asOf, GRAVITY) }))
    .sort((a, b) => b.trending - a.trending || b.upvotes - a.upvotes || (a.id < b.id ? -1 : 1));
}

const share = { tuned: new Array<number>(DAYS).fill(0), topic: new Array<number>(DAYS).fill(0), best: new Array<number>(DAYS).fill(0) };
let silentSame = true;
const state = readers.map(() => ({ profile: emptyProfile() as Profile, sentTuned: new Set<string>(), sentTopic: new Set<string>() }));
const started = performance.now();
let tunedMs = 0;
for (let d = 0; d < DAYS; d++) {
  const asOf = new Date(day0 + d * 86_400_000 + 3_600_000);
  const window = windowAt(asOf);
  readers.forEach((r, i) => {
    const s = state[i]!;
    // As a send run calls it: the window is one array for every reader, the ledger a set.
    const run = (profile: Profile, sent: Set<string>) => {
      const matching = window.filter((p) => !sent.has(p.id) && p.topics.some((t) => r.topics.includes(t as Topic)));
      const out = orderForReader(profile, { matching, window, sent, size: SIZE, now: asOf });
      for (const o of out) sent.add(o.paper.id);
      return out.map((o) => o.paper);
    };
    const supply = window.filter((p) => !s.sentTuned.has(p.id) && matches(r, p) && p.topics.some((t) => r.topics.includes(t as Topic))).length;
    if (r.votes) share.best[d]! += Math.min(SIZE, supply) / SIZE / READERS;
    const t0 = performance.now();
    const tuned = run(s.profile, s.sentTuned);
    if (r.votes) tunedMs += performance.now() - t0;
    const topic = run(emptyProfile(), s.sentTopic);
    if (!r.votes) {
      if (tuned.map((p) => p.id).join() !== topic.map((p) => p.id).join()) silentSame = false;
      return;
    }
    share.tuned[d]! += tuned.filter((p) => matches(r, p)).length / SIZE / READERS;
    share.topic[d]! += topic.filter((p) => matches(r, p)).length / SIZE / READERS;
    const at = new Date(asOf.getTime() + 2 * 3_600_000);
    const liked = tuned.filter((p) => matches(r, p));
    const disliked = tuned.filter((p) => !matches(r, p)).slice(0, 2);
    for (const p of liked) s.profile.votes.push({ paperId: p.id, vote: 'more', paper: snapshotOf(p), at });
    for (const p of disliked) s.profile.votes.push({ paperId: p.id, vote: 'less', paper: snapshotOf(p), at });
  });
}
const ms = performance.now() - started;

console.log(`ranking: ${READERS} voting readers + ${SILENT} who never vote, ${DAYS} days × ${PER_DAY} papers, ${SIZE} per email — ${machineLine()}`);
console.log('day  tuned  topic-only  ratio  (best possible)');
for (let d = 0; d < DAYS; d++) {
  const ratio = share.topic[d]! ? share.tuned[d]! / share.topic[d]! : Infinity;
  console.log(`${String(d + 1).padStart(3)}  ${(share.tuned[d]! * 100).toFixed(1).padStart(5)}%  ${(share.topic[d]! * 100).toFixed(1).padStart(9)}%  ${ratio.toFixed(2).padStart(5)}×  (${(share.best[d]! * 100).toFixed(1)}%)`);
}
const late = (xs: number[]) => xs.slice(7).reduce((a, b) => a + b, 0) / (DAYS - 7);
const lateRatio = late(share.tuned) / late(share.topic);
console.log(`days 8–14: tuned ${(late(share.tuned) * 100).toFixed(1)}% vs topic-only ${(late(share.topic) * 100).toFixed(1)}% = ${lateRatio.toFixed(2)}× (target ≥ 2×): ${lateRatio >= 2 ? 'met' : 'NOT met'}`);
console.log(`readers who never vote: digests ${silentSame ? 'identical to' : 'DIFFERENT from'} topic-only`);
console.log(`tuned ordering: ${(tunedMs / (READERS * DAYS)).toFixed(2)} ms per reader and day (votes so far, matching filter included); whole simulation ${Math.round(ms)} ms, one core`);
process.exitCode = lateRatio >= 2 && silentSame ? 0 : 1;
