import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { recipientFor } from '../../src/digest/links.ts';
import { createDigestRenderer, personalise } from '../../src/digest/render.ts';
import { cutAtSentence } from '../../src/digest/summary.ts';
import { CLICK_TRACKING_NOTICE } from '../../src/profile/click.ts';
import { verifyFeedback } from '../../src/profile/feedback-token.ts';
import { verifyToken } from '../../src/subscribers/tokens.ts';
import { dailyContent, FEEDBACK_SECRETS, heavyPapers, makeDigestPaper, readerId, recipient } from '../helpers/digest.ts';

const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_POSTAL_ADDRESS: 'Example Lab, 1 Main St, Springfield' });

const hostile = makeDigestPaper({
  id: '2512.66666',
  title: '<img src=x onerror=alert(1)>',
  summary: 'An abstract with "quotes" & <script>alert("abs")</script> in it. Second sentence.',
  organizationFullname: '<b onmouseover="x()">Evil & Co</b>',
  authors: ["O'Brien <o@x>"],
  projectPage: 'javascript:alert(1)',
  githubRepo: 'https://github.com/a/b?x="><svg onload=alert(2)>',
  why: { topics: ['llm'], keywords: ['<svg onload=alert(3)>'] },
});

describe('rendering a digest', () => {
  it('escapes every outside value in HTML and never links a non-http URL', async () => {
    const out = await createDigestRenderer(config).render(dailyContent([hostile]), { ...recipient(1), email: 'x"<i>@example.org' });
    expect(out.html).not.toMatch(/<(img|script|svg|b|i)[\s>]|javascript:/i);
    expect(out.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out.html).toContain('&lt;script&gt;alert(&quot;abs&quot;)&lt;/script&gt;');
    expect(out.html).toContain('&lt;b onmouseover=&quot;x()&quot;&gt;Evil &amp; Co&lt;/b&gt;');
    expect(out.html).toContain('“&lt;svg onload=alert(3)&gt;”');
    expect(out.html).toContain('x&quot;&lt;i&gt;@example.org');
    expect(out.html).not.toContain('Project page');
    expect(out.subject).toBe('Daily Papers · Dec 8 — <img src=x onerror=alert(1)>');
  });

  it('builds the subject, preheader and heading from the date and the top paper', async () => {
    const papers = [
      makeDigestPaper({ id: '2502.09927', title: 'Granite Vision: a lightweight, open-source multimodal model' }),
      makeDigestPaper({ id: '2512.00002', title: 'Second paper' }),
      makeDigestPaper({ id: '2512.00003', title: 'Third paper' }),
    ];
    const renderer = createDigestRenderer(config);
    const daily = await renderer.render(dailyContent(papers), recipient(1));
    expect(daily.subject).toBe('Daily Papers · Dec 8 — Granite Vision: a lightweight, open-source multimodal model');
    expect(daily.preheader).toBe('3 papers today · also: Second paper · Third paper');
    expect(daily.html).toContain('Monday, December 8, 2025');
    expect(daily.paperIds).toEqual(['2502.09927', '2512.00002', '2512.00003']);
    const weekly = await renderer.render({ ...dailyContent(papers), frequency: 'weekly', period: '2025-W50' }, recipient(1));
    expect(weekly.subject).toBe('Weekly Papers · Week 50 — Granite Vision: a lightweight, open-source multimodal model');
    expect(weekly.html).toContain('Week 50 · Dec 8 – Dec 14, 2025');
  });

  it('shows card details: links, stars, date and organisation, chips and the why line', async () => {
    const [paper] = heavyPapers(1);
    const out = await createDigestRenderer(config).render(dailyContent([paper!]), recipient(1));
    for (const url of ['https://huggingface.co/papers/2512.00001', 'https://arxiv.org/abs/2512.00001', 'https://arxiv.org/pdf/2512.00001', 'https://github.com/example/project-0', 'https://example.org/projects/0']) {
      expect(out.html).toContain(`href="${url}"`);
      expect(out.text).toContain(url);
    }
    expect(out.html).toContain('Code ★ 12.3k');
    expect(out.html).toContain('Dec 8, 2025 · A Big Research Organisation With A Long Name');
    expect(out.html).toContain('Computer vision');
    expect(out.html).toContain('Why: Matches your topics Language models, Computer vision and Robotics, and mentions your keywords');
    expect(out.html).toContain('name="color-scheme"');
    expect(out.html).toContain('prefers-color-scheme: dark');
  });

  it('stays under 102 KB with ten long-abstract papers', async () => {
    const out = await createDigestRenderer(config).render(dailyContent(heavyPapers(10)), recipient(1));
    expect(Buffer.byteLength(out.html)).toBeLessThan(102 * 1024);
    expect(out.html.match(/class="pb-card"/g)).toHaveLength(10);
  });

  it('puts the same papers and every personal link in the text part', async () => {
    const r = recipient(7);
    const out = await createDigestRenderer(config).render(dailyContent(heavyPapers(10)), r);
    expect(out.text).toContain(r.unsubscribeUrl);
    expect(out.text).toContain(r.preferencesUrl);
    expect(out.text).toContain(r.webUrl);
    expect(out.text).toContain(r.email);
    for (let i = 1; i <= 10; i++) expect(out.text).toContain(`https://huggingface.co/papers/2512.${String(i).padStart(5, '0')}`);
    expect(out.text).toContain('Example Lab, 1 Main St, Springfield');
    expect(out.html).toContain(`href="${r.unsubscribeUrl}"`);
  });

  it('with CLICK_TRACKING on, links each title through the recipient\'s signed click and says so in the footer; off, neither', async () => {
    const papers = [makeDigestPaper({ id: '2512.88881', title: 'Tracked One' }), makeDigestPaper({ id: '2512.88882', title: 'Tracked Two' })];
    const tracked = await createDigestRenderer({ ...config, CLICK_TRACKING: 'on' }).render(dailyContent(papers), recipient(5));
    const titles = [...tracked.html.matchAll(/<a class="pb-title" href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(titles).toHaveLength(2);
    const clicks = titles.map((h) => (h.startsWith('https://papers.example.org/r?token=') ? verifyFeedback(FEEDBACK_SECRETS, new URL(h).searchParams.get('token')) : null));
    expect(clicks.map((c) => c?.ok && [c.action, c.paperId, c.subscriberId])).toEqual(papers.map((p) => ['click', p.id, readerId(5)]));
    expect(tracked.text).toContain(`Paper:        ${titles[0]}`);
    const notice = CLICK_TRACKING_NOTICE.replace(/\s+/g, ' ');
    expect(tracked.html.replace(/\s+/g, ' ')).toContain(notice);
    expect(tracked.text.replace(/\s+/g, ' ')).toContain(notice);

    const plain = await createDigestRenderer(config).render(dailyContent(papers), recipient(5));
    expect([...plain.html.matchAll(/<a class="pb-title" href="([^"]+)"/g)].map((m) => m[1])).toEqual(papers.map((p) => `https://huggingface.co/papers/${p.id}`));
    expect(plain.html).not.toContain('/r?token=');
    expect(plain.text).not.toContain('/r?token=');
    expect(plain.html.replace(/\s+/g, ' ')).not.toContain(notice);
    expect(plain.text.replace(/\s+/g, ' ')).not.toContain(notice);
  });

  it('puts More like this, Less like this and Follow on every card, signed for the recipient and that paper, in HTML and text', async () => {
    const papers = [...heavyPapers(2), makeDigestPaper({ id: '2512.77777', organizationName: null, organizationFullname: null, authors: ['Grace Hopper', 'Alan Kay'] })];
    const out = await createDigestRenderer(config).render(dailyContent(papers), recipient(4));
    const hrefs = [...out.html.matchAll(/href="(https:\/\/papers\.example\.org\/feedback\?token=[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(hrefs).toHaveLength(9);
    const claims = hrefs.map((h) => verifyFeedback(FEEDBACK_SECRETS, new URL(h).searchParams.get('token')));
    expect(claims.map((c) => c.ok && [c.action, c.paperId, c.subscriberId])).toEqual(
      papers.flatMap((p) => ['more', 'less', 'follow'].map((a) => [a, p.id, readerId(4)])),
    );
    expect(claims[2]).toMatchObject({ target: { kind: 'organisation', value: 'A Big Research Organisation With A Long Name' } });
    expect(claims[8]).toMatchObject({ target: { kind: 'author', value: 'Grace Hopper' } });
    expect(out.html).toContain('>Follow A Big Research Organisation With A Long Name</a>');
    expect(out.html).toContain('>Follow Grace Hopper</a>');
    // Text: each link on its own line inside its paper's block (before the next paper starts).
    const blocks = out.text.split(/^\d+\. /m).slice(1);
    expect(blocks).toHaveLength(3);
    blocks.forEach((block, i) => {
      const urls = hrefs.slice(3 * i, 3 * i + 3);
      expect(block).toContain(`\n   More like this: ${urls[0]}\n`);
      expect(block).toContain(`\n   Less like this: ${urls[1]}\n`);
      expect(block).toMatch(new RegExp(`\\n   Follow [^\\n]+: ${urls[2]!.replace(/[.?]/g, '\\$&')}\\n`));
    });
  });

  it('compiles each card once per renderer, whatever the number of distinct digests', async () => {
    const renderer = createDigestRenderer(config);
    const a = heavyPapers(3);
    const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => renderer.render(dailyContent([...a]), recipient(i))));
    expect(renderer.stats).toMatchObject({ compiles: 1, cards: 3 });
    expect(new Set(outs.map((o) => o.html)).size).toBe(50);
    outs.forEach((o, i) => {
      expect(o.html).toContain(recipient(i).unsubscribeUrl);
      expect(o.html).not.toMatch(/pbslot/);
      expect(o.text).not.toMatch(/pbslot/);
    });
    // Thirty different digests over twelve papers: each card compiled once.
    const pool = heavyPapers(12);
    const digests = Array.from({ length: 30 }, (_, d) => Array.from({ length: 4 }, (_, k) => pool[(d * 5 + k * 7) % 12]!));
    for (const [d, papers] of digests.entries()) await renderer.render(dailyContent([...new Set(papers)]), recipient(d));
    expect(renderer.stats.cards).toBe(12);
    // Assembled from cached cards, a digest is exactly what compiling it alone gives.
    // One clock for both: feedback links carry the second they were signed in.
    const reversed = [...pool.slice(0, 5)].reverse();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-12-09T07:00:00Z') });
    const shared = await renderer.render(dailyContent(reversed, '2025-12-09'), recipient(3));
    const alone = await createDigestRenderer(config).render(dailyContent(reversed, '2025-12-09'), recipient(3));
    vi.useRealTimers();
    expect(shared).toEqual(alone);
    expect(shared.html.indexOf('#1<')).toBeLessThan(shared.html.indexOf(reversed[0]!.title));
    expect(shared.text).toMatch(new RegExp(`^1\\. ${reversed[0]!.title.slice(0, 20)}`, 'm'));
    expect(shared.paperIds).toEqual(reversed.map((p) => p.id));
  });

  it('keeps the card cache bounded', async () => {
    const renderer = createDigestRenderer(config, { maxEntries: 2 });
    const papers = heavyPapers(4);
    for (const p of [...papers, papers[0]!]) await renderer.compile(dailyContent([p]));
    expect(renderer.stats).toMatchObject({ cards: 5, hits: 0, cached: 2 });
  });

  it('stays under Gmail\'s 102 KB clip at the largest DIGEST_SIZE with maximal fields, linking the web edition for the rest', async () => {
    expect(() => loadConfig({ DIGEST_SIZE: '31' })).toThrow(/DIGEST_SIZE/);
    const max = loadConfig({ PUBLIC_URL: 'https://papers.example.org', DIGEST_SIZE: '30' }).DIGEST_SIZE;
    const long = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
    const papers = heavyPapers(max).map((p, i) =>
      makeDigestPaper({
        ...p,
        title: `${long(60, 'Title')} ${i}`,
        organizationFullname: long(30, 'Organisation'),
        githubRepo: `https://github.com/${'o'.repeat(39)}/${'r'.repeat(100)}${i}`,
        projectPage: `https://${'p'.repeat(60)}.example.org/${'x'.repeat(200)}`,
        topics: ['llm', 'vision', 'multimodal', 'generative', 'audio', 'agents', 'rl', 'reasoning'],
        why: { topics: ['llm', 'vision', 'multimodal', 'generative'], keywords: [long(20, 'keyword')] },
      }),
    );
    const r = recipient(1);
    const renderer = createDigestRenderer(config);
    const compiled = await renderer.compile(dailyContent(papers));
    const out = personalise(compiled, r);
    expect(Buffer.byteLength(out.html)).toBeLessThan(102_000);
    expect(compiled.trimmed).toBeGreaterThan(0);
    const shown = max - compiled.trimmed;
    expect(out.html.match(/class="pb-card"/g)).toHaveLength(shown);
    expect(out.paperIds).toEqual(papers.slice(0, shown).map((p) => p.id));
    expect(out.html).toContain(`href="${r.webUrl}">More papers on the web edition</a>`);
    expect(out.text).toContain(`More papers on the web edition: ${r.webUrl}`);
    expect(out.text).not.toContain(papers[shown]!.id);
    // Ten such papers fit whole.
    const ten = await renderer.compile(dailyContent(papers.slice(0, 10)));
    expect(ten.trimmed).toBe(0);
  });

  it('personalises with signed preference and unsubscribe links', async () => {
    const secrets = { current: 's'.repeat(32) };
    const sub = { id: '7f1d7a52-58a4-4b8e-9c36-2f1a0f1f5e01', email: 'ada@example.org', topics: ['vision', 'llm'] };
    const r = recipientFor(config, secrets, sub, '2025-12-08');
    expect(r.webUrl).toBe('https://papers.example.org/digests/2025-12-08?topics=llm,vision');
    const token = new URL(r.unsubscribeUrl).searchParams.get('token');
    expect(verifyToken(secrets, 'unsubscribe', token)).toMatchObject({ ok: true, subscriberId: sub.id });
    expect(verifyToken(secrets, 'preferences', new URL(r.preferencesUrl).searchParams.get('token'))).toMatchObject({ ok: true });
    const compiled = await createDigestRenderer(config).compile(dailyContent(heavyPapers(1)));
    expect(() => personalise(compiled, { ...r, unsubscribeUrl: 'javascript:alert(1)' })).toThrow(/unsubscribeUrl/);
  });
});

describe('cutAtSentence', () => {
  it('cuts at a sentence boundary, never mid-word', () => {
    const text = 'First sentence is here. Second one follows, e.g. with an abbreviation. Third sentence pushes it well past the budget of this test.';
    expect(cutAtSentence(text, 80)).toBe('First sentence is here. Second one follows, e.g. with an abbreviation.');
    expect(cutAtSentence(text, 30)).toBe('First sentence is here.');
    expect(cutAtSentence('A single very long sentence without any full stop at all goes on', 30)).toBe('A single very long sentence…');
    expect(cutAtSentence('Short.', 30)).toBe('Short.');
  });
});
