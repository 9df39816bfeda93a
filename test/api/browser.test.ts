/**
 * The whole way as a person goes, in a real Chromium at phone width: fill the
 * form on `/`, read the confirmation email from a real SMTP server (the app's
 * own SMTP transport sends it), confirm, change topics, unsubscribe — and see
 * each state in the database.
 */
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { queryRows } from '../../src/db/rows.ts';
import { silentLogger } from '../../src/log.ts';
import { createMailer } from '../../src/mail/create-mailer.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { planDeliveries } from '../../src/delivery/plan.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { freePort } from '../helpers/ports.ts';

const SCREENSHOTS = process.env.SCREENSHOT_DIR; // set to look at the pages; never committed

/** With SCREENSHOT_DIR set: the page at 375 and 1280 px, light and dark, for a person to look at. */
async function shoot(url: string, name: string, prepare?: (page: import('playwright-core').Page) => Promise<void>) {
  if (!SCREENSHOTS) return;
  for (const width of [375, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
      const page = await context.newPage();
      await page.goto(url);
      await prepare?.(page);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}-${colorScheme}.png`, fullPage: true });
      await context.close();
    }
  }
}


let sink: SmtpSink;
let database: TestDatabase & { drop(): Promise<void> };
let mailer: Mailer;
let app: App;
let browser: Browser;
let base: string;
/** The app's clock: real time unless a test pins it. */
let pinned: Date | undefined;

beforeAll(async () => {
  [sink, database, browser] = await Promise.all([startSmtpSink(), createTestDatabase(), launchBrowser()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig({ DATABASE_URL: database.url, SECRET: 'b'.repeat(40), SMTP_URL: sink.url, PUBLIC_URL: base, PORT: String(port), LOG_LEVEL: 'silent' });
  mailer = createMailer(config);
  app = await buildApp({ config, db: database.db, log: silentLogger, mailer, now: () => pinned ?? new Date() });
  await upsertPapers(database.db, [
    makePaper({ id: '2512.10001', title: 'Speculative decoding at scale', upvotes: 12, dailyAt: new Date(Date.now() - 3_600_000) }),
    makePaper({ id: '2512.10002', title: 'Robots that read manuals', upvotes: 5, dailyAt: new Date(Date.now() - 7_200_000) }),
  ]);
  await app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mailer?.close();
  await sink?.close();
  await database?.drop();
});

const subscriber = async (email: string) =>
  (await queryRows<{ status: string; topics: string[]; keywords: string[]; frequency: string; timezone: string; send_hour: number }>(
    database.db,
    sql`SELECT status, topics, keywords, frequency, timezone, send_hour FROM subscribers WHERE email = ${email}`,
  ))[0];

describe('in a browser', () => {
  it('subscribe → confirm from the email → change topics → unsubscribe', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#timezone').inputValue()).toBe('Europe/Berlin'); // filled in by the script
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/home-375.png`, fullPage: true });
    // Nothing sticks out sideways at 375 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Today’s top papers');
    await expect.poll(() => page.getByText('Speculative decoding at scale').count()).toBe(1);

    const email = 'grace.hopper+papers@example.org';
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Language models').check();
    await page.getByLabel('Computer vision').check();
    await page.getByLabel('Keywords').fill('speculative decoding, MoE');
    await page.getByLabel('Weekly').check();
    await page.getByLabel('Send at').selectOption('8');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(`${base}/subscribe`);
    expect(await page.locator('h1').textContent()).toBe('Check your inbox to confirm');
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/check-inbox-375.png`, fullPage: true });
    expect(await subscriber(email)).toEqual({
      status: 'pending', topics: ['llm', 'vision'], keywords: ['speculative decoding', 'MoE'], frequency: 'weekly', timezone: 'Europe/Berlin', send_hour: 8,
    });

    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.parsed.subject).toBe('Confirm your paperboy subscription');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[\w.-]+)/.exec(mail.parsed.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(mail.parsed.html).toContain(`href="${link}"`);

    await page.goto(link!);
    expect(await subscriber(email)).toMatchObject({ status: 'pending' }); // opening the link changes nothing
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    expect(await subscriber(email)).toMatchObject({ status: 'active' });

    await page.getByRole('link', { name: 'Change topics, time or frequency' }).click();
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/preferences-375.png`, fullPage: true });
    expect(await page.getByLabel('Language models').isChecked()).toBe(true);
    await page.getByLabel('Language models').uncheck();
    await page.getByLabel('Computer vision').uncheck();
    await page.getByLabel('Reinforcement learning').check();
    await page.getByLabel('Agents').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await subscriber(email)).toMatchObject({ status: 'active', topics: ['agents', 'rl'] });

    await page.getByRole('link', { name: 'Unsubscribe' }).click();
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(await subscriber(email)).toMatchObject({ status: 'unsubscribed' });
    await page.getByRole('button', { name: 'Resubscribe' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    expect(await subscriber(email)).toMatchObject({ status: 'active' });
    await context.close();
  });

  it('works without JavaScript (time zone stays UTC) and is usable by keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab'); // the site link
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
    await page.keyboard.type('nojs@example.org');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Check your inbox to confirm' }).waitFor();
    expect(await subscriber('nojs@example.org')).toMatchObject({ status: 'pending', timezone: 'UTC', topics: [] });
    await context.close();
  });

  it('shows the site’s own page for an address that does not exist, and for a digest that does not', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    const res = await page.goto(`${base}/no-such-page`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.locator('main .card p').first().textContent()).toBe('There is no page at /no-such-page.');
    expect(await page.locator('header.site a').textContent()).toBe('paperboy');
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    await page.getByRole('heading', { name: 'Get trending papers in your email inbox once a day!' }).waitFor();
    const digest = await page.goto(`${base}/digests/2031-01-01?topics=nope`);
    expect(digest?.status()).toBe(400);
    expect(await page.locator('main .card p').first().textContent()).toContain('Unknown topic "nope"');
    // The tab's icon is ours, not a JSON 404.
    const icon = await page.evaluate(async () => (await fetch('/favicon.ico')).headers.get('content-type'));
    expect(icon).toBe('image/svg+xml');
    await context.close();
    await shoot(`${base}/no-such-page`, 'not-found');
  });

  it('puts each form error next to its field, in words, focused, with what was typed kept', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email address').fill('ada@example');
    await page.getByLabel('Agents').check();
    await page.getByLabel('Keywords').fill(`moe, ${'x'.repeat(70)}`);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('#email-error').waitFor();

    const email = page.getByLabel('Email address');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('Error: This address has an invalid domain. Enter an email address like ada@example.org.');
    // The message sits right above its own field, not only in a summary.
    const [msgBox, inputBox] = [await page.locator('#email-error').boundingBox(), await email.boundingBox()];
    expect(inputBox!.y - (msgBox!.y + msgBox!.height)).toBeLessThan(20);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email'); // the first wrong field
    expect(await page.locator('#keywords-error').textContent()).toContain(`Keyword "${'x'.repeat(30)}…" is 70 characters long`);
    expect(await page.getByLabel('Keywords').getAttribute('aria-invalid')).toBe('true');
    // What was typed and ticked is still there.
    expect(await email.inputValue()).toBe('ada@example');
    expect(await page.getByLabel('Agents').isChecked()).toBe(true);
    expect(await page.getByLabel('Keywords').inputValue()).toBe(`moe, ${'x'.repeat(70)}`);
    // The summary's link takes you to the field.
    await page.getByRole('link', { name: 'Keywords' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('keywords');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
    await shoot(`${base}/`, 'form-error', async (p) => {
      await p.getByLabel('Email address').fill('ada@example');
      await p.getByLabel('Keywords').fill(`moe, ${'x'.repeat(70)}`);
      await p.getByRole('button', { name: 'Subscribe' }).click();
      await p.locator('#email-error').waitFor();
    });
  });

  it('follows the reader’s dark mode', async () => {
    const colours = async (colorScheme: 'light' | 'dark') => {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      const c = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color, getComputedStyle(document.querySelector('#email')!).backgroundColor]);
      await context.close();
      return c;
    };
    expect(await colours('light')).toEqual(['rgb(246, 248, 250)', 'rgb(31, 35, 40)', 'rgb(255, 255, 255)']);
    expect(await colours('dark')).toEqual(['rgb(13, 17, 23)', 'rgb(230, 237, 243)', 'rgb(13, 17, 23)']);
    await shoot(`${base}/`, 'home');
  });

  it('says when the first email really comes, and what pausing and resuming mean', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    const confirmLink = async (email: string) => {
      const mail = await sink.waitFor((m) => m.to.includes(email));
      return /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[\w.-]+)/.exec(mail.parsed.text ?? '')![1]!;
    };
    const subscribeAndConfirm = async (email: string, hour: string) => {
      await page.goto(`${base}/`);
      await expect.poll(() => page.locator('#timezone').inputValue()).toBe('Europe/Berlin');
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Send at').selectOption(hour);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('heading', { name: 'Check your inbox to confirm' }).waitFor();
      await page.goto(await confirmLink(email));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
      return (await page.locator('main .card p').first().textContent())!;
    };
    try {
      // Monday 2 March 2026, 07:05 in Berlin; the planner ticks every 15 minutes (UTC).
      pinned = new Date('2026-03-02T06:05:00Z');
      // 09:00 has not come yet: the tick at 09:00 Berlin picks it up.
      expect(await subscribeAndConfirm('later@example.org', '9')).toBe('Your first email comes today at 09:00 (Europe/Berlin time).');
      // 06:00 has passed: the next tick, 07:15 Berlin, not "at your chosen hour".
      expect(await subscribeAndConfirm('already-past@example.org', '6')).toBe('Your first email is on its way within minutes (by about 07:15, Europe/Berlin time).');
      if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/confirmed-375.png`, fullPage: true });

      await page.getByRole('link', { name: 'Change topics, time or frequency' }).click();
      await page.getByRole('button', { name: 'Pause emails' }).click();
      const note = page.locator('.notice.ok');
      expect(await note.textContent()).toBe('Paused. No emails are sent until you press Resume emails; your settings are kept.');
      expect(await note.getAttribute('role')).toBe('status');
      expect(await subscriber('already-past@example.org')).toMatchObject({ status: 'paused' });
      await page.getByRole('button', { name: 'Save' }).click();
      expect(await note.textContent()).toBe('Saved. Emails are paused; press Resume emails to get them again with these settings.');
      await page.getByRole('button', { name: 'Resume emails' }).click();
      expect(await note.textContent()).toBe('Resumed. Your next email follows these settings — today at 07:15 (Europe/Berlin time).');
      // The planner's tick at 07:15 plans today's email; the next one is tomorrow's.
      await planDeliveries(database.db, { now: new Date('2026-03-02T06:15:00Z') });
      await page.getByLabel('Send at').selectOption('8');
      await page.getByRole('button', { name: 'Save' }).click();
      expect(await note.textContent()).toBe('Saved. Your next email follows these settings — tomorrow at 08:00 (Europe/Berlin time).');
      if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/preferences-saved-375.png`, fullPage: true });
    } finally {
      pinned = undefined;
      await context.close();
    }
  });
});
