/**
 * Leaving: the unsubscribe page, RFC 8058 one-click as mailbox providers send
 * it (urlencoded and multipart), the JSON API, resubscribing, and the data
 * rights (export, erase) with what erased links answer afterwards.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { activeSubscriber, auditOf as auditOfIn, pendingSubscriber, statusOf as statusOfIn } from '../helpers/subscribers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const active = (prefs?: Record<string, unknown>) => activeSubscriber(t, prefs);
const statusOf = (id: string) => statusOfIn(t, id);
const auditOf = (id: string) => auditOfIn(t, id);

describe('unsubscribe', () => {
  it('the page has one button that POSTs; afterwards a resubscribe button works', async () => {
    const s = await active();
    const q = `?token=${s.token('unsubscribe')}`;
    const page = await t.app.inject({ method: 'GET', url: `/unsubscribe${q}` });
    expect(page.body).toContain(`<form method="post" action="/unsubscribe${q}"`);
    expect(await statusOf(s.id)).toBe('active');
    const done = await t.app.inject({ method: 'POST', url: `/unsubscribe${q}` });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    expect(done.body).toContain(`action="/resubscribe${q}"`);
    expect(await statusOf(s.id)).toBe('unsubscribed');
    const back = await t.app.inject({ method: 'POST', url: `/resubscribe${q}` });
    expect(back.body).toContain('Welcome back');
    expect(await statusOf(s.id)).toBe('active');
    expect((await auditOf(s.id)).slice(-2)).toEqual([{ action: 'unsubscribed', via: 'page' }, { action: 'resubscribed', via: 'page' }]);
  });

  it('never makes a never-confirmed address active: unsubscribe then resubscribe from a pending one stays unsubscribed', async () => {
    const s = await pendingSubscriber(t);
    const q = `?token=${s.token('unsubscribe')}`;
    expect((await t.app.inject({ method: 'POST', url: `/unsubscribe${q}` })).statusCode).toBe(200);
    const back = await t.app.inject({ method: 'POST', url: `/resubscribe${q}` });
    expect(back.statusCode).toBe(409);
    expect(back.body).toContain('never confirmed');
    expect(await statusOf(s.id)).toBe('unsubscribed');
    expect((await auditOf(s.id)).map((a) => a.action)).not.toContain('resubscribed');
  });

  it('RFC 8058 one-click, exactly as a mailbox provider sends it: urlencoded, no cookies → 200, no redirect', async () => {
    const s = await active();
    const res = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'GoogleOneClickUnsubscribe' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await statusOf(s.id)).toBe('unsubscribed');
    expect((await auditOf(s.id)).at(-1)).toEqual({ action: 'unsubscribed', via: 'one-click' });

    // Idempotent: again is 200 and changes nothing.
    const again = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(again.statusCode).toBe(200);
    expect((await auditOf(s.id)).filter((a) => a.action === 'unsubscribed')).toHaveLength(1);
  });

  it('RFC 8058 one-click as multipart/form-data', async () => {
    const s = await active();
    const boundary = '----paperboy7MA4YWxkTrZu0gW';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(await statusOf(s.id)).toBe('unsubscribed');
    expect((await auditOf(s.id)).at(-1)).toEqual({ action: 'unsubscribed', via: 'one-click' });
  });

  it('the JSON API unsubscribes idempotently', async () => {
    const s = await active();
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/unsubscribe', headers: { authorization: `Bearer ${s.token('unsubscribe')}` } });
      expect(res.json()).toEqual({ status: 'unsubscribed' });
    }
  });
});

describe('export and erase', () => {
  it('exports the row, deliveries and audit events; erasing deletes them all; later links answer "no longer valid"', async () => {
    const s = await active({ keywords: ['graphs'] });
    await t.database.db.execute(
      sql`INSERT INTO deliveries (subscriber_id, period, status, scheduled_for) VALUES (${s.id}, '2025-12-15', 'sent', '2025-12-15T07:00:00Z')`,
    );
    await t.database.db.execute(
      sql`INSERT INTO sent_papers (subscriber_id, period, scheduled_for, paper_ids) VALUES (${s.id}, '2025-12-15', '2025-12-15T07:00:00Z', '{2512.00001}')`,
    );
    const auth = { authorization: `Bearer ${s.token('preferences')}` };
    const exp = await t.app.inject({ method: 'GET', url: '/api/preferences/export', headers: auth });
    expect(exp.statusCode).toBe(200);
    const data = exp.json();
    expect(data.subscriber).toMatchObject({ id: s.id, email: s.email, keywords: ['graphs'], status: 'active' });
    // The papers sent, from the no-repeat ledger (a sent delivery row holds none).
    expect(data.deliveries).toEqual([expect.objectContaining({ period: '2025-12-15', status: 'sent', paperIds: ['2512.00001'] })]);
    expect(data.auditEvents.map((e: { action: string }) => e.action)).toEqual(['subscribed', 'confirmed']);

    const erased = await t.app.inject({ method: 'DELETE', url: '/api/subscriber', headers: auth });
    expect(erased.json()).toMatchObject({ status: 'erased' });
    for (const table of ['subscribers', 'deliveries', 'audit_events']) {
      const col = table === 'subscribers' ? sql`id` : sql`subscriber_id`;
      const rows = await queryRows(t.database.db, sql`SELECT 1 FROM ${sql.identifier(table)} WHERE ${col} = ${s.id}`);
      expect(rows, table).toHaveLength(0);
    }

    const api = await t.app.inject({ method: 'GET', url: '/api/preferences', headers: auth });
    expect(api.statusCode).toBe(410);
    expect(api.json()).toMatchObject({ error: 'link_no_longer_valid' });
    for (const url of [`/preferences?token=${s.token('preferences')}`, `/unsubscribe?token=${s.token('unsubscribe')}`]) {
      const page = await t.app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('no longer valid');
    }
    const oneClick = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${s.token('unsubscribe')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(410);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/subscriber', headers: auth })).statusCode).toBe(410);
  });
});
