/**
 * The email and the feeds in a real Chromium: no card overflows at phone and
 * desktop widths in light and dark mode, hostile titles show as text, and
 * the Atom feed is well-formed XML with the elements RFC 4287 requires.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDigestRenderer } from '../../src/digest/render.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { dailyContent, heavyPapers, makeDigestPaper, recipient } from '../helpers/digest.ts';
import { makePaper } from '../helpers/papers.ts';

const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_POSTAL_ADDRESS: 'Example Lab, 1 Main Street, Springfield' });
const HOSTILE = '<img src=x onerror=alert(1)>';
const unbroken = makeDigestPaper({
  id: '2512.99999',
  title: `${'Supercalifragilistic'.repeat(6)} ${HOSTILE}`,
  summary: `A summary with an unbroken token ${'x'.repeat(120)} in it.`,
  projectPage: `https://example.org/${'very-long-path-segment-'.repeat(8)}`,
});

let browser: Browser;
let html: string;

beforeAll(async () => {
  browser = await launchBrowser();
  html = (await createDigestRenderer(config).render(dailyContent([unbroken, ...heavyPapers(9)]), recipient(1))).html;
});
afterAll(() => browser?.close());

describe('the digest email in Chromium', () => {
  for (const width of [375, 600]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`keeps every card inside the viewport at ${width} px (${colorScheme})`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme, javaScriptEnabled: true });
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.setContent(html);
        const m = await page.evaluate(() => {
          const cards = Array.from(document.querySelectorAll('.pb-card')).map((c) => c.getBoundingClientRect());
          const bg = getComputedStyle(document.querySelector('.pb-card')!).backgroundColor;
          const title = document.querySelector('.pb-title')!.textContent;
          return {
            cards: cards.map((r) => ({ left: r.left, right: r.right })),
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
            images: document.images.length,
            bg,
            title,
          };
        });
        if (process.env.DIGEST_SCREENSHOTS) await page.screenshot({ path: `${process.env.DIGEST_SCREENSHOTS}/digest-${width}-${colorScheme}.png`, fullPage: true });
        await page.close();
        expect(m.cards).toHaveLength(10);
        for (const r of m.cards) {
          expect(r.left).toBeGreaterThanOrEqual(0);
          expect(r.right).toBeLessThanOrEqual(width);
        }
        expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
        expect(m.images).toBe(0);
        expect(m.title).toContain(HOSTILE);
        expect(dialogs).toEqual([]);
        expect(m.bg).toBe(colorScheme === 'dark' ? 'rgb(22, 27, 34)' : 'rgb(255, 255, 255)');
      });
    }
  }
});

describe('the Atom feed in Chromium', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await upsertPapers(t.database.db, [
      makePaper({ id: '2512.30001', title: `Hostile ]]> title ${HOSTILE} & "quotes"`, dailyAt: new Date('2025-12-15T08:00:00Z'), upvotes: 5, authors: ['A <b>', 'B & C'] }),
      makePaper({ id: '2512.30002', title: 'A language model paper', dailyAt: new Date('2025-12-14T08:00:00Z'), upvotes: 3 }),
    ]);
  });
  afterAll(() => t.close());

  it('is well-formed XML with the required feed and entry elements', async () => {
    const xml = (await t.app.inject({ url: '/feed.xml' })).body;
    const page = await browser.newPage();
    const r = await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'application/xml');
      const ns = 'http://www.w3.org/2005/Atom';
      const feed = doc.documentElement;
      const kids = (el: Element, name: string) => Array.from(el.children).filter((c) => c.namespaceURI === ns && c.localName === name);
      const entries = kids(feed, 'entry');
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: `${feed.namespaceURI} ${feed.localName}`,
        feed: ['id', 'title', 'updated', 'author'].map((n) => kids(feed, n).length),
        self: kids(feed, 'link').some((l) => l.getAttribute('rel') === 'self'),
        entries: entries.map((e) => ({
          required: ['id', 'title', 'updated'].map((n) => kids(e, n).length),
          link: kids(e, 'link')[0]?.getAttribute('href'),
          title: kids(e, 'title')[0]?.textContent,
        })),
      };
    }, xml);
    await page.close();
    expect(r.error).toBe(0);
    expect(r.root).toBe('http://www.w3.org/2005/Atom feed');
    expect(r.feed).toEqual([1, 1, 1, 1]);
    expect(r.self).toBe(true);
    expect(r.entries).toHaveLength(2);
    for (const e of r.entries) expect(e.required).toEqual([1, 1, 1]);
    expect(r.entries[0]!.link).toBe('https://huggingface.co/papers/2512.30001');
    // type="html": the escaped title reads as text once a feed reader unescapes it.
    expect(r.entries[0]!.title).toBe('Hostile ]]&gt; title &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  });
});
