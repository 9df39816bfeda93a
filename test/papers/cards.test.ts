/**
 * What a card shows from a paper's listing and its own page: the date with the
 * organisation or author count, repo counts linking to the Hub page, the
 * one-line summary, and a title that looks like the link it is.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { byline, paperLinks, repoCounts, toCard } from '../../src/digest/cards.ts';
import { createDigestRenderer } from '../../src/digest/render.ts';
import { cardSummary } from '../../src/digest/summary.ts';
import { dailyContent, makeDigestPaper, recipient } from '../helpers/digest.ts';

const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_POSTAL_ADDRESS: 'Example Lab, 1 Main St, Springfield' });

describe('card fields', () => {
  it('say the date and the organisation, or the author count when there is none', () => {
    const authors = Array.from({ length: 9 }, (_, i) => `Author ${i}`);
    expect(byline({ authors, organizationName: null, organizationFullname: null, dailyDate: '2025-12-08' })).toBe('Dec 8, 2025 · 9 authors');
    expect(byline({ authors: ['Ada'], organizationName: null, organizationFullname: null, dailyDate: '2025-12-08' })).toBe('Dec 8, 2025 · 1 author');
    expect(byline({ authors, organizationName: 'bytedance', organizationFullname: 'ByteDance Seed', dailyDate: '2025-12-08' })).toBe('Dec 8, 2025 · ByteDance Seed');
    expect(byline({ authors: [], organizationName: null, organizationFullname: null })).toBeNull();
  });

  it('count the models, datasets and Spaces citing the paper, linked to its Hub page', () => {
    expect(repoCounts({ models: 3, datasets: 1, spaces: 2 })).toBe('3 models · 1 dataset · 2 Spaces');
    expect(repoCounts({ models: 0, datasets: 0, spaces: 1 })).toBe('1 Space');
    expect(repoCounts({ models: null, datasets: null, spaces: null })).toBeNull();
    const links = paperLinks({ id: '2512.00001', githubRepo: 'https://github.com/a/b', githubStars: 1234, projectPage: 'https://example.org/p', models: 3, datasets: 1, spaces: 2 });
    expect(links.map((l) => [l.label, l.url])).toEqual([
      ['arXiv', 'https://arxiv.org/abs/2512.00001'],
      ['PDF', 'https://arxiv.org/pdf/2512.00001'],
      ['Code ★ 1.2k', 'https://github.com/a/b'],
      ['Project page', 'https://example.org/p'],
      ['3 models · 1 dataset · 2 Spaces', 'https://huggingface.co/papers/2512.00001'],
    ]);
  });

  it('summarise in one line: ai_summary, else the first sentence of the abstract', () => {
    expect(cardSummary({ aiSummary: 'The short version.', summary: 'First. Second.' })).toBe('The short version.');
    expect(cardSummary({ aiSummary: null, summary: 'We present a model, e.g. for vision. It is good. Really.' })).toBe('We present a model, e.g. for vision.');
    expect(cardSummary({ aiSummary: '  ', summary: 'One sentence only' })).toBe('One sentence only');
  });

  it('render a title that visibly links to the Hub page, and the repo counts', async () => {
    const paper = makeDigestPaper({ id: '2512.00042', title: 'Linked Title', models: 3, datasets: 1, spaces: 2, authors: ['A', 'B'] });
    expect(toCard(paper, 1).byline).toBe('Dec 8, 2025 · 2 authors');
    const out = await createDigestRenderer(config).render(dailyContent([paper]), recipient(1));
    const title = /<a class="pb-title" href="([^"]+)" style="([^"]+)">Linked Title<\/a>/.exec(out.html);
    expect(title?.[1]).toBe('https://huggingface.co/papers/2512.00042');
    expect(title?.[2]).toMatch(/text-decoration:underline/);
    expect(title?.[2]).toMatch(/color:#1d4ed8/);
    expect(out.html).toContain('>3 models · 1 dataset · 2 Spaces</a>');
    expect(out.text).toContain('3 models · 1 dataset · 2 Spaces: https://huggingface.co/papers/2512.00042');
    expect(out.html).toContain('Dec 8, 2025 · 2 authors');
  });
});
