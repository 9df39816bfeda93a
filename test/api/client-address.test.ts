/**
 * Which address is "the client" for the subscribe limit and the admin
 * throttle, over real sockets: directly (TRUST_PROXY off: the socket, whatever
 * X-Forwarded-For says) and behind a proxy that appends the address it saw to
 * X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does, so the
 * leftmost entry is whatever the client wrote. Two clients come from
 * different loopback addresses (127.0.0.2 and 127.0.0.3).
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { MAX_FAILURES } from '../../src/api/admin-throttle.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 'c'.repeat(32);
const LIMIT = 3;
const opened: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(opened.map((o) => o.close())));

let n = 0;
function send(port: number, from: string, opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, localAddress: from, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end(opts.body);
  });
}
const subscribe = (port: number, from: string, spoof?: string) =>
  send(port, from, {
    path: '/api/subscriptions',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(spoof ? { 'x-forwarded-for': spoof } : {}) },
    body: JSON.stringify({ email: `ca-${++n}@example.org` }),
  });

/** A reverse proxy that appends its peer's address to X-Forwarded-For. */
async function appendingProxy(target: number): Promise<number> {
  const server: Server = createServer((inbound, outbound) => {
    const xff = [inbound.headers['x-forwarded-for'], inbound.socket.remoteAddress].filter(Boolean).join(', ');
    const up = request({ host: '127.0.0.1', port: target, path: inbound.url, method: inbound.method, headers: { ...inbound.headers, 'x-forwarded-for': xff } }, (res) => {
      outbound.writeHead(res.statusCode!, res.headers);
      res.pipe(outbound);
    });
    inbound.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return (server.address() as AddressInfo).port;
}

async function listening(env: Record<string, string> = {}): Promise<{ t: TestApp; port: number }> {
  const t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, ...env }, limit: { max: LIMIT, windowMs: 60_000 } });
  opened.push(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, port: (t.app.server.address() as AddressInfo).port };
}

const spoofs = (k: number) => Array.from({ length: k }, (_, i) => `198.51.100.${i + 1}`);

describe('TRUST_PROXY', () => {
  it('is off by default: a spoofed X-Forwarded-For does not get past the subscribe limit', async () => {
    const { port } = await listening();
    const codes = [];
    for (const spoof of spoofs(LIMIT + 2)) codes.push((await subscribe(port, '127.0.0.2', spoof)).status);
    expect(codes).toEqual([202, 202, 202, 429, 429]);
    expect((await subscribe(port, '127.0.0.3')).status).toBe(202);
  });

  for (const trust of ['1', '127.0.0.1', '127.0.0.1/32']) {
    it(`TRUST_PROXY=${trust} behind an appending proxy: the client is the address the proxy saw, not the leftmost entry`, async () => {
      const { port: appPort } = await listening({ TRUST_PROXY: trust });
      const port = await appendingProxy(appPort);
      const codes = [];
      for (const spoof of spoofs(LIMIT + 2)) codes.push((await subscribe(port, '127.0.0.2', spoof)).status);
      expect(codes).toEqual([202, 202, 202, 429, 429]);
      // Another client behind the same proxy has its own budget.
      expect((await subscribe(port, '127.0.0.3', '127.0.0.2')).status).toBe(202);
    });
  }

  it('throttles failed admin Bearer tokens and login forms per client, through the proxy, whatever X-Forwarded-For says', async () => {
    const { port: appPort } = await listening({ TRUST_PROXY: '1' });
    const port = await appendingProxy(appPort);
    const stats = (from: string, token: string, spoof?: string) =>
      send(port, from, { path: '/api/admin/stats', headers: { authorization: `Bearer ${token}`, ...(spoof ? { 'x-forwarded-for': spoof } : {}) } });
    const codes = [];
    for (const [i, spoof] of spoofs(MAX_FAILURES).entries()) {
      codes.push(
        i % 2
          ? (await stats('127.0.0.2', `wrong-${i}`.padEnd(32, 'x'), spoof)).status
          : (await send(port, '127.0.0.2', { path: '/admin/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': spoof }, body: `token=wrong-${i}` })).status,
      );
    }
    expect(codes).toEqual(Array(MAX_FAILURES).fill(401));
    // Used up: even the right token waits, by either door.
    const blocked = await stats('127.0.0.2', TOKEN, '203.0.113.200');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(60);
    expect(JSON.parse(blocked.body)).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('failed admin logins') });
    const form = await send(port, '127.0.0.2', { path: '/admin/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
    expect(form.status).toBe(429);
    // Another client is not affected.
    expect((await stats('127.0.0.3', TOKEN)).status).toBe(200);
  });
});

describe('TRUST_PROXY values', () => {
  const base = { SECRET: 's'.repeat(40), DATABASE_URL: 'postgres://localhost/x' };
  it('takes a hop count or addresses/CIDRs, refuses anything else with a clear message', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, ::1,loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: .*would believe any client/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/not an address: 10\.0\.0\.0\/33/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY/);
  });
});
