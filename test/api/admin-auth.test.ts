/**
 * Who gets into /admin and /api/admin: 404 without ADMIN_TOKEN (except the
 * embedded default on loopback), 401 for a wrong token, a login form that
 * sets a hardened cookie, and 403 for a form POST without the CSRF token.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createTestApp, recordingMailer, TEST_SECRET, type TestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { activeSubscriber, auditOf, statusOf } from '../helpers/subscribers.ts';

const TOKEN = 'admin-token-'.padEnd(40, 'x');
let locked: TestApp;
let unset: TestApp;

beforeAll(async () => {
  [locked, unset] = await Promise.all([
    createTestApp({ env: { ADMIN_TOKEN: TOKEN, PUBLIC_URL: 'https://papers.example.org' } }),
    createTestApp(),
  ]);
});
afterAll(() => Promise.all([locked.close(), unset.close()]));

const cookieOf = (setCookie: string | string[] | undefined) => String(setCookie).split(';')[0]!;
const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];

async function login(t: TestApp) {
  const res = await t.app.inject({ method: 'POST', url: '/admin/login', payload: { token: TOKEN } });
  expect(res.statusCode).toBe(303);
  return { res, cookie: cookieOf(res.headers['set-cookie']) };
}

describe('without ADMIN_TOKEN', () => {
  it('answers 404 on every admin route', async () => {
    for (const [method, url] of [
      ['GET', '/admin'],
      ['GET', '/admin/login'],
      ['POST', '/admin/login'],
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/subscribers.csv'],
      ['POST', '/api/admin/periods/2025-12-16/rerun'],
    ] as const) {
      const res = await unset.app.inject({ method, url, headers: { authorization: 'Bearer anything' } });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
  });
});

describe('the embedded default on loopback', () => {
  let app: App;
  let port: number;
  /** What a browser on this machine sends (inject's default Host is localhost:80). */
  const local = (opts: InjectOptions) => app.inject({ ...opts, headers: { host: `localhost:${port}`, ...(opts.headers as object) } });
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    // No DATABASE_URL in the config: embedded (the handle is still the test Postgres).
    const config = loadConfig({ SECRET: TEST_SECRET, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'pb-admin-')), LOG_LEVEL: 'silent' });
    expect(config.embedded).toBe(true);
    app = await buildApp({ config, db: database.db, log: silentLogger, mailer: recordingMailer() });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('is open from 127.0.0.1 and ::1, and hands out a session for the forms', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1']) {
      const res = await local({ url: '/admin', remoteAddress });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<svg');
      expect(String(res.headers['set-cookie'])).toContain('HttpOnly');
    }
    expect((await local({ url: '/api/admin/stats' })).json()).toHaveProperty('subscribers.active', 0);
  });

  it('lets scripts on this machine in with any Bearer value (no CSRF: a cross-site page cannot add the header)', async () => {
    const res = await local({ method: 'POST', url: '/api/admin/periods/2025-12-16/rerun', headers: { authorization: 'Bearer x' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ planned: 0, dispatch: 'nothing' });
    expect((await local({ method: 'POST', url: '/api/admin/periods/2025-12-16/rerun' })).statusCode).toBe(403);
  });

  it('is closed to other addresses and to anything that came through a proxy', async () => {
    expect((await local({ url: '/admin', remoteAddress: '192.0.2.7' })).statusCode).toBe(404);
    expect((await local({ url: '/admin', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode).toBe(404);
    expect((await local({ url: '/api/admin/stats', headers: { forwarded: 'for=127.0.0.1' } })).statusCode).toBe(404);
  });

  it('refuses a Host it does not answer to (DNS rebinding), over a real socket', async () => {
    const get = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/api/admin/stats', headers: { host } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
        }).on('error', reject).end();
      });
    for (const host of [`rebind.attacker.example:${port}`, `localhost:${port + 1}`, 'localhost', `127.0.0.1.nip.io:${port}`]) {
      const res = await get(host);
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).message).toContain(`answer only to http://localhost:${port}`);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) expect((await get(host)).status, host).toBe(200);
    // The login form and the dashboard's page behave the same.
    expect((await app.inject({ url: '/admin', headers: { host: `evil.example:${port}` } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/admin/login', headers: { host: `evil.example:${port}` } })).statusCode).toBe(403);
  });

  it('still wants the CSRF token on form posts (a cross-site form cannot have it)', async () => {
    const res = await local({
      method: 'POST',
      url: '/admin/subscribers/00000000-0000-4000-8000-000000000000/suppress',
      payload: { _csrf: 'guess' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('with ADMIN_TOKEN', () => {
  it('refuses a missing or wrong Bearer token with 401 and accepts the right one', async () => {
    expect((await locked.app.inject({ url: '/api/admin/stats' })).statusCode).toBe(401);
    const wrong = await locked.app.inject({ url: '/api/admin/stats', headers: { authorization: `Bearer ${TOKEN}y` } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'unauthorized' });
    const short = await locked.app.inject({ url: '/api/admin/stats', headers: { authorization: 'Bearer x' } });
    expect(short.statusCode).toBe(401);
    const right = await locked.app.inject({ url: '/api/admin/stats', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.statusCode).toBe(200);
    expect(right.json().days).toHaveLength(14);
  });

  it('sends a browser without a session to the login form, even from loopback', async () => {
    const res = await locked.app.inject({ url: '/admin' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login');
    expect((await locked.app.inject({ url: '/admin/login' })).body).toContain('name="token"');
  });

  it('logs in with the token: an HttpOnly, SameSite=Strict, Secure (https) cookie', async () => {
    const bad = await locked.app.inject({ method: 'POST', url: '/admin/login', payload: { token: 'nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const { res } = await login(locked);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^paperboy_admin=[\w.-]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Secure');
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(res.headers.location).toBe('/admin');
  });

  it('leaves Secure off on a plain-http PUBLIC_URL', async () => {
    const t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
    try {
      const { res } = await login(t);
      expect(String(res.headers['set-cookie'])).not.toContain('Secure');
    } finally {
      await t.close();
    }
  });

  it('lets a session act only with its own CSRF token', async () => {
    const s = await activeSubscriber(locked);
    const { cookie } = await login(locked);
    const page = await locked.app.inject({ url: `/admin?email=${encodeURIComponent(s.email)}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const csrf = csrfIn(page.body);
    expect(csrf).toBeTruthy();
    const url = `/admin/subscribers/${s.id}/suppress`;

    const without = await locked.app.inject({ method: 'POST', url, headers: { cookie }, payload: {} });
    expect(without.statusCode).toBe(403);
    expect(without.headers['content-type']).toContain('text/html');
    const other = await login(locked);
    const foreign = await locked.app.inject({ method: 'POST', url, headers: { cookie: other.cookie }, payload: { _csrf: csrf } });
    expect(foreign.statusCode).toBe(403);
    const noSession = await locked.app.inject({ method: 'POST', url, payload: { _csrf: csrf } });
    expect(noSession.statusCode).toBe(401);
    expect(await statusOf(locked, s.id)).toBe('active');

    const ok = await locked.app.inject({ method: 'POST', url, headers: { cookie }, payload: { _csrf: csrf } });
    expect(ok.statusCode).toBe(303);
    expect(await statusOf(locked, s.id)).toBe('unsubscribed');
    expect(await auditOf(locked, s.id)).toContainEqual({ action: 'suppressed', via: 'admin' });
  });

  it('refuses a tampered cookie and logs out', async () => {
    const { cookie } = await login(locked);
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await locked.app.inject({ url: '/api/admin/stats', headers: { cookie: tampered } })).statusCode).toBe(401);
    const page = await locked.app.inject({ url: '/admin', headers: { cookie } });
    const out = await locked.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie }, payload: { _csrf: csrfIn(page.body)! } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('ends the session server-side on logout: a copy of the cookie is refused, other sessions go on', async () => {
    const { cookie } = await login(locked);
    const other = await login(locked);
    expect((await locked.app.inject({ url: '/api/admin/stats', headers: { cookie } })).statusCode).toBe(200);
    const page = await locked.app.inject({ url: '/admin', headers: { cookie } });
    await locked.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie }, payload: { _csrf: csrfIn(page.body)! } });
    expect((await locked.app.inject({ url: '/api/admin/stats', headers: { cookie } })).statusCode).toBe(401);
    const again = await locked.app.inject({ url: '/admin', headers: { cookie } });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/admin/login');
    expect((await locked.app.inject({ url: '/api/admin/stats', headers: { cookie: other.cookie } })).statusCode).toBe(200);
  });

  it('ends every session when ADMIN_TOKEN changes', async () => {
    const { cookie } = await login(locked);
    const changed = await buildApp({
      config: { ...locked.config, ADMIN_TOKEN: `${TOKEN}-rotated` },
      db: locked.database.db,
      log: silentLogger,
      mailer: recordingMailer(),
    });
    try {
      expect((await changed.inject({ url: '/api/admin/stats', headers: { cookie } })).statusCode).toBe(401);
      expect((await locked.app.inject({ url: '/api/admin/stats', headers: { cookie } })).statusCode).toBe(200);
    } finally {
      await changed.close();
    }
  });
});

describe('failed admin authentication', () => {
  it('is logged with the client address and the kind of credential, never the value sent', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const app = await buildApp({ config: locked.config, db: locked.database.db, log: pino({ level: 'info' }, stream), mailer: recordingMailer() });
    try {
      const bearerGuess = 'guess-by-bearer-'.padEnd(30, 'q');
      const formGuess = 'guess-by-form-'.padEnd(30, 'f');
      expect((await app.inject({ url: '/api/admin/stats', remoteAddress: '192.0.2.50', headers: { authorization: `Bearer ${bearerGuess}` } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '192.0.2.50', payload: { token: formGuess } })).statusCode).toBe(401);
      const failures = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'admin authentication failed');
      expect(failures.map((l) => ({ level: l.level, client: l.client, credential: l.credential, failures: l.failures }))).toEqual([
        { level: 40, client: '192.0.2.50', credential: 'bearer', failures: 1 },
        { level: 40, client: '192.0.2.50', credential: 'login form', failures: 2 },
      ]);
      const all = lines.join('\n');
      expect(all).not.toContain(bearerGuess);
      expect(all).not.toContain(formGuess);
      expect(all).not.toContain(TOKEN);
    } finally {
      await app.close();
    }
  });
});
