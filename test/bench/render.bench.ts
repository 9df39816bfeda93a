/**
 * Render once vs per recipient: personalised digests for 100,000 subscribers
 * spread over 50 topic mixes (50 distinct selections of 10 seed papers each).
 *
 * - per-recipient: a fresh mjml2html compile for every email (the
 *   anti-pattern), timed on a sample and extrapolated to 100,000;
 * - render-once: one compile per distinct content, then per subscriber the
 *   signed links (two HMACs) and the join of the pre-split HTML and text.
 *
 * Targets: render-once ≥ 100× faster and ≥ 20,000 personalised emails/s, one core.
 *   npx tsx test/bench/render.bench.ts   (or: npm run bench -- render)
 */
import { whyLine } from '../../src/digest/cards.ts';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { recipientFor } from '../../src/digest/links.ts';
import { createDigestRenderer, personalise } from '../../src/digest/render.ts';
import type { DigestPaper } from '../../src/digest/select.ts';
import type { DigestContent } from '../../src/digest/view.ts';
import { parseEntries } from '../../src/papers/paper.ts';
import { tagTopics, topicSlugs } from '../../src/papers/topics.ts';
import { fmt, machineLine } from './bench-db.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const MIXES = 50;
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 500);

const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_POSTAL_ADDRESS: 'Example Lab, 1 Main Street, Springfield' });
const secrets = { current: 'b'.repeat(40) };
const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;

// Papers as selection returns them: one object per paper and mix, shared by the mix's subscribers.
const contents: DigestContent[] = Array.from({ length: MIXES }, (_, m) => {
  const topics = [topicSlugs[m % topicSlugs.length]!, topicSlugs[(m * 7 + 3) % topicSlugs.length]!];
  const papers: DigestPaper[] = Array.from({ length: 10 }, (_, k) => {
    const s = seeds[(m * 13 + k * 17) % seeds.length]!;
    const { publishedAt: _p, aiKeywords: _a, thumbnail: _t, ...rest } = s;
    const why = { topics: topics.slice(0, 1), keywords: k % 3 ? [] : ['diffusion'] };
    return { ...rest, dailyDate: '2025-12-15', topics: tagTopics(s), score: 1 - k / 100, why, reason: whyLine(why) };
  });
  return { audience: 'email', frequency: 'daily', localDate: '2025-12-16', period: '2025-12-16', papers };
});
const subscriber = (i: number) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, email: `reader${i}@example.org`, topics: ['llm', 'vision'] });

console.log(`render: ${fmt(SUBSCRIBERS)} personalised digests over ${MIXES} mixes — ${machineLine()}`);

// Warm up both paths (JIT, MJML's lazy requires) so neither pays start-up in its figure.
for (let i = 0; i < 20; i++) await createDigestRenderer(config).compile(contents[i % MIXES]!);

let bytes = 0;
const t0 = performance.now();
for (let i = 0; i < SAMPLE; i++) {
  const renderer = createDigestRenderer(config); // no shared cache: one mjml2html per email
  const mail = await renderer.render(contents[i % MIXES]!, recipientFor(config, secrets, subscriber(i), '2025-12-16'));
  bytes += mail.html.length;
}
const perRecipientMs = (performance.now() - t0) / SAMPLE;

const renderer = createDigestRenderer(config);
const t1 = performance.now();
for (let i = 0; i < SUBSCRIBERS; i++) {
  const compiled = await renderer.compile(contents[i % MIXES]!);
  const mail = personalise(compiled, recipientFor(config, secrets, subscriber(i), '2025-12-16'));
  bytes += mail.text.length;
}
const onceSecs = (performance.now() - t1) / 1000;
const onceRate = SUBSCRIBERS / onceSecs;
const perRecipientSecs = (perRecipientMs * SUBSCRIBERS) / 1000;
const speedup = perRecipientSecs / onceSecs;

console.log(`  per-recipient mjml2html   ${perRecipientMs.toFixed(2)} ms/email (sample of ${fmt(SAMPLE)}) → ${fmt(1000 / perRecipientMs)} emails/s, ${perRecipientSecs.toFixed(0)} s for ${fmt(SUBSCRIBERS)} (extrapolated)`);
console.log(`  render-once               ${onceSecs.toFixed(2)} s for ${fmt(SUBSCRIBERS)} → ${fmt(onceRate)} emails/s, ${renderer.stats.compiles} compiles, ${fmt(renderer.stats.hits)} cache hits`);
console.log(`  speed-up ${speedup.toFixed(0)}×; targets ≥ 100× (${speedup >= 100 ? 'met' : 'MISSED'}), ≥ 20,000 emails/s (${onceRate >= 20_000 ? 'met' : 'MISSED'})  [${fmt(bytes / 1e6)} MB produced]`);
