/**
 * The /admin page in Chromium at a phone's and a laptop's width: numbers that
 * agree with each other when a subscriber has left, a header in line with the
 * content, chart labels a person can read at 375 px, stale papers that say so,
 * and an erase that asks first and says what is lost.
 */
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { makePaper } from '../helpers/papers.ts';

const TOKEN = 'e'.repeat(40);
const SCREENSHOTS = process.env.SCREENSHOT_DIR;
let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  [t, browser] = await Promise.all([createTestApp({ env: { ADMIN_TOKEN: TOKEN } }), launchBrowser()]);
  t.clock.now = new Date('2025-12-16T09:00:00Z');
  // The ingest has not run for months: the newest papers are from September.
  await upsertPapers(t.database.db, [
    makePaper({ id: '2509.00001', title: 'An old favourite', upvotes: 31, dailyAt: new Date('2025-09-01T00:00:00Z') }),
    makePaper({ id: '2509.00002', title: 'Nobody voted yet', upvotes: 0, dailyAt: new Date('2025-09-01T00:00:00Z') }),
  ]);
  // Today's one delivery went to someone who unsubscribed since; nobody is an active daily subscriber now.
  const [left] = await t.database.db
    .insert(subscribers)
    .values({ email: 'left@example.org', status: 'unsubscribed', sendHour: 7 })
    .returning();
  const now = t.clock.now;
  await t.database.db.insert(deliveries).values([
    { subscriberId: left!.id, period: '2025-12-16', status: 'sent', scheduledFor: now, updatedAt: now },
    ...Array.from({ length: 13 }, (_, i) => {
      const day = new Date(now.getTime() - (i + 1) * 86_400_000);
      return { subscriberId: left!.id, period: day.toISOString().slice(0, 10), status: 'sent' as const, scheduledFor: day, updatedAt: day };
    }),
  ]);
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function loggedIn(width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('#token', TOKEN);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]')]);
  await page.close();
  return context;
}

describe('/admin', () => {
  it('at 375 px: fits, the chart labels are readable, the numbers agree, old papers say so', async () => {
    const context = await loggedIn(375);
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // Labels drawn at least 10 px tall on screen, and no two dates overlapping.
    const labels = await page.locator('svg g.day text.date').evaluateAll((els) =>
      els.map((e) => ({ shown: getComputedStyle(e).display !== 'none', box: e.getBoundingClientRect().toJSON() as DOMRect })),
    );
    const shown = labels.filter((l) => l.shown);
    expect(shown.length).toBe(7);
    for (const l of shown) expect(l.box.height).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < shown.length; i++) expect(shown[i]!.box.left).toBeGreaterThan(shown[i - 1]!.box.right);
    expect(labels.at(-1)!.shown).toBe(true); // today keeps its label

    const progress = (await page.locator('#today-progress').textContent())!;
    expect(progress).toContain('1 of 1 deliveries planned today done');
    expect(progress).toContain('0 active daily subscribers now; the others left or paused after theirs was planned.');
    expect(progress).not.toContain('of 0');

    expect(await page.locator('#h-papers').textContent()).toBe('Latest papers (from Sep 1, 2025)');
    expect(await page.locator('#h-papers ~ .notice').textContent()).toContain('No papers from the last 3 days');
    const metas = await page.locator('.papers .meta').allTextContents();
    expect(metas).toEqual(['▲ 31 upvotes · on Daily Papers Sep 1, 2025', 'on Daily Papers Sep 1, 2025']); // no "▲ 0"
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/admin-375-light.png`, fullPage: true });
    await context.close();
  });

  it('at 1280 px the header lines up with the content', async () => {
    const context = await loggedIn(1280);
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    const header = await page.locator('header.site a').boundingBox();
    const h1 = await page.locator('main h1').boundingBox();
    expect(header!.x).toBe(h1!.x);
    await context.close();
    for (const width of SCREENSHOTS ? [375, 1280] : []) {
      for (const scheme of ['light', 'dark'] as const) {
        const shot = await loggedIn(width, scheme);
        const p = await shot.newPage();
        await p.goto(`${base}/admin`);
        await p.screenshot({ path: `${SCREENSHOTS}/admin-${width}-${scheme}.png`, fullPage: true });
        await shot.close();
      }
    }
  });

  it('asks before erasing, says what is lost, and refuses an erase without that answer', async () => {
    const context = await loggedIn(375);
    const page = await context.newPage();
    await page.goto(`${base}/admin?email=left@example.org`);
    const button = page.getByRole('button', { name: 'Erase left@example.org for good' });
    expect(await button.isVisible()).toBe(false); // one click does not erase
    await page.getByText('Erase all data…').click();
    expect(await page.locator('details.erase p').textContent()).toContain('It cannot be undone');
    expect(await page.locator('details.erase p').textContent()).toContain('every delivery record (the last: 2025-12-16, sent)');
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/admin-erase-375.png`, fullPage: true });

    // A post that did not come from that button (no confirm field) deletes nothing.
    const refused = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('details.erase form')!;
      const body = new URLSearchParams({ _csrf: (form.elements.namedItem('_csrf') as HTMLInputElement).value });
      const res = await fetch(form.action, { method: 'POST', body, headers: { accept: 'text/html' } });
      return { status: res.status, text: await res.text() };
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('nothing was deleted');
    expect(await queryRows(t.database.db, sql`SELECT 1 FROM subscribers WHERE email = 'left@example.org'`)).toHaveLength(1);

    await Promise.all([page.waitForURL(/done=/), button.click()]);
    expect(await page.locator('.notice.ok').textContent()).toContain('Subscriber erased');
    expect(await queryRows(t.database.db, sql`SELECT 1 FROM subscribers WHERE email = 'left@example.org'`)).toHaveLength(0);
    await context.close();
  });
});
