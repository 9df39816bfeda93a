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
import { launchBrowser } from '../helpers/browser.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { freePort } from '../helpers/ports.ts';

const SCREENSHOTS = process.env.SCREENSHOT_DIR; // set to look at the pages; never committed


let sink: SmtpSink;
let database: TestDatabase & { drop(): Promise<void> };
let mailer: Mailer;
let app: App;
let browser: Browser;
let base: string;

beforeAll(async () => {
  [sink, database, browser] = await Promise.all([startSmtpSink(), createTestDatabase(), launchBrowser()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig({ DATABASE_URL: database.url, SECRET: 'b'.repeat(40), SMTP_URL: sink.url, PUBLIC_URL: base, PORT: String(port), LOG_LEVEL: 'silent' });
  mailer = createMailer(config);
  app = await buildApp({ config, db: database.db, log: silentLogger, mailer });
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
});
