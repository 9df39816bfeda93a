/**
 * Feedback as a reader gives it, in a real Chromium: a card's link opens a
 * page that records by itself and offers Undo; the preferences page shows
 * and edits everything learned; a tracked paper link counts one click and
 * lands on the paper. Each step checked in Postgres.
 */
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { queryRows } from '../../src/db/rows.ts';
import { silentLogger } from '../../src/log.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { clickUrl } from '../../src/profile/click.ts';
import { feedbackUrls } from '../../src/profile/links.ts';
import { subscriberLink } from '../../src/subscribers/links.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { recordingMailer } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';
import { freePort } from '../helpers/ports.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

const secrets = { current: 'f'.repeat(40) };
let database: TestDatabase & { drop(): Promise<void> };
let app: App;
let browser: Browser;
let config: Config;
let subscriberId: string;

beforeAll(async () => {
  [database, browser] = await Promise.all([createTestDatabase(), launchBrowser()]);
  const port = await freePort();
  config = loadConfig({ DATABASE_URL: database.url, SECRET: secrets.current, PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port), LOG_LEVEL: 'silent', CLICK_TRACKING: 'on' });
  app = await buildApp({ config, db: database.db, log: silentLogger, mailer: recordingMailer() });
  await upsertPapers(database.db, [
    makePaper({ id: '2512.30001', title: 'FlashDecoding++: Faster Inference', organizationName: 'NVIDIA', upvotes: 3 }),
  ]);
  const [row] = await queryRows<{ id: string }>(database.db, sql`INSERT INTO subscribers (email, status, topics) VALUES ('reader@example.org', 'active', '{llm}') RETURNING id`);
  subscriberId = row!.id;
  await app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.drop();
});

const rows = async () => ({
  votes: await queryRows<{ vote: string }>(database.db, sql`SELECT vote FROM profile_votes WHERE subscriber_id = ${subscriberId}`),
  rules: await queryRows<{ kind: string; value: string; stance: string }>(database.db, sql`SELECT kind, value, stance FROM profile_rules WHERE subscriber_id = ${subscriberId} ORDER BY kind, key`),
  clicks: await queryRows<{ clicks: number }>(database.db, sql`SELECT clicks FROM profile_clicks WHERE subscriber_id = ${subscriberId}`),
});
const links = () => feedbackUrls({ publicUrl: config.publicUrl, secrets, subscriberId, paper: { id: '2512.30001', organisation: 'NVIDIA', authors: [] } });
const learned = (page: Page) => page.locator('#learned');

describe('feedback in a browser', () => {
  let page: Page;
  beforeAll(async () => {
    page = await (await browser.newContext({ viewport: { width: 375, height: 812 } })).newPage();
  });

  it('More like this records by itself and Undo removes it', async () => {
    await page.goto(links().more);
    await expect.poll(() => page.getByText('Noted: more papers like ‘FlashDecoding++: Faster Inference’.').count()).toBe(1);
    expect((await rows()).votes).toEqual([{ vote: 'more' }]);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByText('Undone:').count()).toBe(1);
    expect((await rows()).votes).toEqual([]);
  });

  it('Follow NVIDIA records the follow', async () => {
    await page.goto(links().follow!.url);
    await expect.poll(() => page.getByText('Noted: you follow NVIDIA.').count()).toBe(1);
    expect((await rows()).rules).toEqual([{ kind: 'organisation', value: 'NVIDIA', stance: 'follow' }]);
  });

  it('the preferences page shows and edits votes, follows, mutes and negative keywords', async () => {
    await page.goto(links().less);
    await expect.poll(() => page.getByText('Noted: fewer papers like').count()).toBe(1);
    await page.goto(subscriberLink({ secrets, publicUrl: config.publicUrl }, 'preferences', subscriberId));
    const section = learned(page);
    await expect.poll(() => section.getByText('Less like this: ‘FlashDecoding++: Faster Inference’').count()).toBe(1);
    expect(await section.getByText('NVIDIA').count()).toBe(1);

    // Mute a topic by its label, keep a keyword out ("not: diffusion").
    await section.getByLabel('Kind').selectOption('topic');
    await section.getByLabel('Name').fill('Computer vision');
    await section.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => learned(page).getByText('Topic: Computer vision').count()).toBe(1);
    await learned(page).getByLabel('Not interested in').fill('not: diffusion');
    await learned(page).getByRole('button', { name: 'Keep out' }).click();
    await expect.poll(() => learned(page).getByText('not: diffusion').count()).toBe(1);
    expect((await rows()).rules).toEqual([
      { kind: 'keyword', value: 'diffusion', stance: 'mute' },
      { kind: 'organisation', value: 'NVIDIA', stance: 'follow' },
      { kind: 'topic', value: 'vision', stance: 'mute' },
    ]);

    // A bad entry says what is wrong and keeps what was typed.
    await learned(page).getByLabel('Kind').selectOption('topic');
    await learned(page).getByLabel('Name').fill('Cooking');
    await learned(page).getByRole('button', { name: 'Follow', exact: true }).click();
    await expect.poll(() => page.getByText('"Cooking" is not a topic').count()).toBe(1);
    expect(await learned(page).getByLabel('Name').inputValue()).toBe('Cooking');
    await page.getByRole('link', { name: 'Back to your preferences' }).click();

    // Undo the vote, stop following, unmute.
    await learned(page).getByRole('button', { name: 'Undo: FlashDecoding++: Faster Inference' }).click();
    await expect.poll(() => learned(page).getByText('No votes yet').count()).toBe(1);
    await learned(page).getByRole('button', { name: 'Stop following: NVIDIA' }).click();
    await expect.poll(() => learned(page).getByText('You follow no organisation').count()).toBe(1);
    await learned(page).getByRole('button', { name: 'Unmute: Computer vision' }).click();
    await expect.poll(() => learned(page).getByText('Nothing is muted.').count()).toBe(1);
    expect(await rows()).toEqual({ votes: [], rules: [{ kind: 'keyword', value: 'diffusion', stance: 'mute' }], clicks: [] });
  });

  it('a tracked paper link counts one click and lands on the paper', async () => {
    // The machine has no internet: Hugging Face answers from here.
    await page.route('https://huggingface.co/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>the paper</h1>' }));
    await page.goto(clickUrl({ config, secrets, subscriberId, paperId: '2512.30001' }));
    await page.waitForURL('https://huggingface.co/papers/2512.30001');
    await expect.poll(async () => (await rows()).clicks).toEqual([{ clicks: 1 }]);
  });
});
