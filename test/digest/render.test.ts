import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { recipientFor } from '../../src/digest/links.ts';
import { createDigestRenderer, personalise } from '../../src/digest/render.ts';
import { cutAtSentence } from '../../src/digest/summary.ts';
import { verifyToken } from '../../src/subscribers/tokens.ts';
import { dailyContent, heavyPapers, makeDigestPaper, recipient } from '../helpers/digest.ts';

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

  it('compiles MJML once for N recipients of the same selection, twice for two selections', async () => {
    const renderer = createDigestRenderer(config);
    const a = heavyPapers(3);
    const b = [...a].reverse();
    const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => renderer.render(dailyContent([...a]), recipient(i))));
    expect(renderer.stats.compiles).toBe(1);
    expect(renderer.stats.hits).toBe(49);
    expect(new Set(outs.map((o) => o.html)).size).toBe(50);
    outs.forEach((o, i) => {
      expect(o.html).toContain(recipient(i).unsubscribeUrl);
      expect(o.html).not.toMatch(/pbslot/);
    });
    await renderer.render(dailyContent(b), recipient(1));
    await renderer.render(dailyContent(b), recipient(2));
    expect(renderer.stats.compiles).toBe(2);
    // Same papers, another day: another render (the date is in the email).
    await renderer.render(dailyContent(a, '2025-12-09'), recipient(1));
    expect(renderer.stats.compiles).toBe(3);
  });

  it('keeps the cache bounded', async () => {
    const renderer = createDigestRenderer(config, { maxEntries: 2 });
    for (const day of ['2025-12-08', '2025-12-09', '2025-12-10', '2025-12-08']) await renderer.compile(dailyContent(heavyPapers(1), day));
    expect(renderer.stats).toMatchObject({ compiles: 4, hits: 0, cached: 2 });
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
