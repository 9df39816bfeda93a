/**
 * Resend and rerun through the admin API, sending for real to the SMTP sink
 * (inline, the embedded engine), then the /admin page in Chromium: logged in
 * with the form, the chart's bars and the numbers match what was sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodStartDay } from '../../src/admin/deliveries.ts';
import { subscribers } from '../../src/db/schema.ts';
import { queryRows } from '../../src/db/rows.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const TOKEN = 'd'.repeat(40);
const auth = { authorization: `Bearer ${TOKEN}` };
const DAY = '2025-12-16';
let t: TestApp;
let sink: SmtpSink;
let mailer: Mailer;

beforeAll(async () => {
  sink = await startSmtpSink();
  mailer = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@papers.example.org>' });
  t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, SMTP_URL: sink.url }, mailer });
  await runIngest({ db: t.database.db, source: fileSource('seeds/papers.json'), days: [undefined] });
});
afterAll(async () => {
  await t.close();
  await mailer.close();
  await sink.close();
});

const addActive = (emails: string[]) =>
  t.database.db.insert(subscribers).values(emails.map((email) => ({ email, status: 'active' as const, sendHour: 7 }))).returning();

const deliveriesOf = (period: string) =>
  queryRows<{ id: string; email: string; status: string; reason: string | null }>(
    t.database.db,
    sql`SELECT d.id, s.email, d.status, d.reason FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.period = ${period} ORDER BY s.email`,
  );

/** The API answers at once and sends in the background: wait until nothing is queued or sending. */
async function settled(period: string) {
  for (const deadline = Date.now() + 20_000; ; await sleep(100)) {
    const rows = await deliveriesOf(period);
    if (rows.length && rows.every((r) => r.status !== 'queued' && r.status !== 'sending')) return rows;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(rows)}`);
  }
}

const post = (url: string) => t.app.inject({ method: 'POST', url, headers: auth });
const to = (email: string) => sink.messages.filter((m) => m.to.includes(email));

describe('resend and rerun', () => {
  it('re-runs a day for everyone it missed, then resends one failed delivery', async () => {
    await addActive(['ok@example.org', 'gone@example.org']);
    await sink.reply('gone@example.org', 550, '5.1.1 no such user');
    const first = await post(`/api/admin/periods/${DAY}/rerun`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ period: DAY, planned: 2, requeued: 0, dispatch: 'sending' });
    let rows = await settled(DAY);
    expect(rows.map((r) => [r.email, r.status])).toEqual([['gone@example.org', 'failed'], ['ok@example.org', 'sent']]);
    const failed = rows[0]!;

    const stats = (await t.app.inject({ url: '/api/admin/stats', headers: auth })).json();
    expect(stats.recentFailures[0]).toMatchObject({ deliveryId: failed.id, email: 'gone@example.org', period: DAY });
    expect(stats.recentFailures[0].reason).toContain('550');
    expect(stats.days.at(-1)).toEqual({ day: DAY, sent: 1, failed: 1, skipped: 0 });

    // The relay accepts the address again; a newcomer joined after the run.
    await sink.clearReplies();
    await addActive(['late@example.org']);
    expect((await post(`/api/admin/deliveries/${rows.find((r) => r.email === 'ok@example.org')!.id}/resend`)).statusCode).toBe(409);
    expect((await post('/api/admin/deliveries/00000000-0000-4000-8000-000000000000/resend')).statusCode).toBe(404);
    expect((await post('/api/admin/deliveries/nope/resend')).statusCode).toBe(400);

    // The hard bounce suppressed the address: resending waits for the operator to reactivate it.
    const refused = await post(`/api/admin/deliveries/${failed.id}/resend`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('bounced');
    const gone = (await t.app.inject({ url: '/api/admin/subscribers?email=GONE@example.org', headers: auth })).json();
    expect(gone).toMatchObject({ email: 'gone@example.org', status: 'bounced', lastDelivery: { period: DAY, status: 'failed' } });
    expect((await post(`/api/admin/subscribers/${gone.id}/reactivate`)).json()).toMatchObject({ status: 'active', hardBounces: 0 });

    const resend = await post(`/api/admin/deliveries/${failed.id}/resend`);
    expect(resend.statusCode).toBe(202);
    await sink.waitFor((m) => m.to.includes('gone@example.org'));
    rows = await settled(DAY);
    const again = rows.find((r) => r.id === failed.id)!;
    expect(again.status).toBe('sent');
    expect(to('gone@example.org')[0]!.parsed.messageId).toContain(failed.id);

    const rerun = (await post(`/api/admin/periods/${DAY}/rerun`)).json();
    expect(rerun).toMatchObject({ planned: 1, requeued: 0 });
    rows = await settled(DAY);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    // The sink reports from its own process, a moment after the relay accepted.
    await sink.waitFor((m) => m.to.includes('late@example.org'));
    // Nobody got the day twice.
    for (const e of ['ok@example.org', 'gone@example.org', 'late@example.org']) expect(to(e), e).toHaveLength(1);
    expect((await post('/api/admin/periods/2025-W99/rerun')).statusCode).toBe(400);
  });

  it('re-queues a period\'s failures on rerun', async () => {
    const day = '2025-12-15';
    await sink.reply('flaky@example.org', 550, '5.7.1 blocked', { times: 1 });
    await addActive(['flaky@example.org']);
    await post(`/api/admin/periods/${day}/rerun`);
    expect((await settled(day)).find((r) => r.email === 'flaky@example.org')!.status).toBe('failed');
    const flaky = (await t.app.inject({ url: '/api/admin/subscribers?email=flaky@example.org', headers: auth })).json();
    await post(`/api/admin/subscribers/${flaky.id}/reactivate`);
    const rerun = (await post(`/api/admin/periods/${day}/rerun`)).json();
    expect(rerun).toMatchObject({ planned: 0, requeued: 1 });
    const rows = await settled(day);
    expect(rows.find((r) => r.email === 'flaky@example.org')!.status).toBe('sent');
    // The others got the day planned too; with the 16th's papers already sent to them, it is skipped.
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
  });
});

describe('/admin in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('logs in and shows the chart and the numbers after the sends', async () => {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${base}/admin`);
    expect(page.url()).toBe(`${base}/admin/login`);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]')]);

    // Every delivery above finished on the test clock's day (two periods' worth).
    const counts = await queryRows<{ status: string; n: number }>(t.database.db, sql`SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`);
    const n = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
    expect(n('sent')).toBeGreaterThanOrEqual(4);
    expect(n('failed')).toBe(0);
    const days = page.locator('svg g.day');
    expect(await days.count()).toBe(14);
    const today = page.locator(`svg g.day[data-day="${DAY}"]`);
    expect(await today.getAttribute('data-sent')).toBe(String(n('sent')));
    expect(await today.locator('title').textContent()).toBe(`${DAY}: ${n('sent')} sent, ${n('skipped')} skipped, 0 failed`);
    expect(await today.locator('rect.bar-sent').count()).toBe(1);
    expect(Number(await today.locator('rect.bar-sent').getAttribute('height'))).toBeGreaterThan(0);
    expect(await today.locator('text').first().textContent()).toBe(String(n('sent') + n('skipped')));
    expect(await page.locator('svg g.day[data-day="2025-12-15"] text').first().textContent()).toBe('0');
    expect(await page.locator('dd[data-status="active"]').textContent()).toBe('4');
    expect(await page.locator('#today-progress').textContent()).toContain('3 of 4 active daily subscribers done');
    expect(await page.locator('.legend').textContent()).toContain(`sent ${n('sent')}`);
    expect(await page.locator('.papers li').count()).toBeGreaterThan(0);

    // Find a subscriber and suppress them through the CSRF-protected form.
    await page.fill('#find-email', 'late@example.org');
    await Promise.all([page.waitForURL(/email=late/), page.click('form.find button')]);
    await Promise.all([page.waitForURL(/done=/), page.click('#subscriber button:has-text("Suppress")')]);
    expect(await page.locator('.notice.ok').textContent()).toContain('late@example.org is now unsubscribed');
    expect(await page.locator('dd[data-status="unsubscribed"]').textContent()).toBe('1');
    await page.screenshot({ path: '/tmp/paperboy-admin.png', fullPage: true });
    await page.close();
  });
});

describe('periodStartDay', () => {
  it('starts a day at itself and an ISO week at its Monday, across year boundaries', () => {
    expect(periodStartDay('2025-12-08')).toBe('2025-12-08');
    expect(periodStartDay('2025-W50')).toBe('2025-12-08');
    expect(periodStartDay('2026-W53')).toBe('2026-12-28');
    expect(periodStartDay('2027-W01')).toBe('2027-01-04');
    expect(periodStartDay('2025-W01')).toBe('2024-12-30');
  });

  it('refuses weeks a year does not have and dates that do not exist', () => {
    for (const bad of ['2025-W53', '2025-W00', '2025-02-30', '2025-12', 'W50']) expect(() => periodStartDay(bad)).toThrow(/a period is a date/);
  });
});
