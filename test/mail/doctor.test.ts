/**
 * `paperboy doctor` as an operator runs it, for a good and a bad
 * configuration: DNS answered by a local stand-in, the one-click check
 * POSTing over real TLS to a running app, `--send` through a real SMTP sink.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redateToYesterday } from '../../src/cli/start.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { runPaperboy } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startDnsServer } from './dns-server.ts';
import { dkimVerify } from './dkimpy.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'paperboy-doctor-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/tls.key`, '-out', `${dir}/tls.pem`, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const pem = (k: { export(o: object): string | Buffer }) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const spki = (k: { export(o: object): string | Buffer }) => (k.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
const dkim = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherDkim = generateKeyPairSync('rsa', { modulusLength: 2048 });

let t: TestApp;
let sink: SmtpSink;
let tlsServer: tls.Server;
let publicUrl: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestApp();
  // `--send` picks today's papers by the real clock, like `npm start`'s demo papers.
  await upsertPapers(t.database.db, redateToYesterday((await fileSource('seeds/papers.json').fetch()).papers, new Date()));
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (t.app.server.address() as net.AddressInfo).port;
  // TLS in front of the app, as a production proxy would be; the doctor trusts this certificate through NODE_EXTRA_CA_CERTS.
  tlsServer = tls.createServer({ key: readFileSync(`${dir}/tls.key`), cert: readFileSync(`${dir}/tls.pem`) }, (socket) => {
    const upstream = net.connect(appPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  publicUrl = `https://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`;
  sink = await startSmtpSink();
});
afterAll(async () => {
  for (const c of closers) await c();
  await new Promise((resolve) => tlsServer?.close(resolve));
  await sink?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const goodEnv = () => ({
  DATABASE_URL: t.database.url,
  MAIL_FROM: '"Paperboy, Über-Digest" <digest@papers.acme-news.io>',
  SMTP_URL: sink.url,
  PUBLIC_URL: publicUrl,
  MAIL_POSTAL_ADDRESS: 'Acme News, 1 Main St, Springfield',
  DKIM_DOMAIN: 'acme-news.io',
  DKIM_SELECTOR: 'pb1',
  DKIM_PRIVATE_KEY: pem(dkim.privateKey).replace(/\n/g, '\\n'),
  BOUNCE_ADDRESS: 'bounces@bounce.acme-news.io',
  BOUNCE_VERP: 'on',
  BOUNCE_SMTP_PORT: '2525',
  NODE_EXTRA_CA_CERTS: `${dir}/tls.pem`,
});

describe('paperboy doctor', () => {
  it('passes a good configuration, prints the records to publish and sends a test digest', async () => {
    const dns = await startDnsServer({
      'bounce.acme-news.io': { TXT: ['v=spf1 a:127.0.0.1 mx ~all'], MX: [{ preference: 10, exchange: '127.0.0.1' }] },
      'pb1._domainkey.acme-news.io': { TXT: [`v=DKIM1; k=rsa; p=${spki(dkim.publicKey)}`] },
      '_dmarc.papers.acme-news.io': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@papers.acme-news.io'] },
    });
    closers.push(dns.close);
    const r = await runPaperboy(['doctor', '--dns-server', dns.address, '--send', 'ada@receiver.example'], goodEnv());
    const lines = r.stdout.split('\n');
    const checks = lines.filter((l) => /^ {2}(ok|warn|FAIL) /.test(l));
    expect(checks.filter((l) => !l.startsWith('  ok '))).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const topic of ['MAIL_FROM', 'SMTP_URL', 'PUBLIC_URL', 'MAIL_POSTAL_ADDRESS', 'DKIM', 'alignment', 'BOUNCE_ADDRESS', 'bounces', 'one-click']) {
      expect(checks.some((l) => l.startsWith(`  ok    ${topic}: `)), topic).toBe(true);
    }
    expect(r.stdout).toContain('  ok    DNS TXT pb1._domainkey.acme-news.io: the published key matches DKIM_PRIVATE_KEY');
    expect(r.stdout).toContain('  ok    DNS MX bounce.acme-news.io: 10 127.0.0.1');
    // The records, ready to paste: the DKIM key split into 255-character strings.
    const dkimLine = lines.find((l) => l.startsWith('pb1._domainkey.acme-news.io.'))!;
    expect(dkimLine).toMatch(/IN TXT "v=DKIM1; k=rsa; p=[^"]{1,240}" "[^"]+"$/);
    expect(dkimLine.replace(/" "/g, '')).toContain(`p=${spki(dkim.publicKey)}`);
    expect(r.stdout).toMatch(/^_dmarc\.papers\.acme-news\.io\. +IN TXT "v=DMARC1; p=none; /m);
    expect(r.stdout).toMatch(/^bounce\.acme-news\.io\. +IN MX  10 127\.0\.0\.1\.$/m);
    expect(r.stdout).toMatch(/^test digest "Daily Papers · .+" sent to ada@receiver\.example: 250/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('nothing to fix.');

    const mail = await sink.waitFor((m) => m.to.includes('ada@receiver.example'));
    expect(mail.from).toMatch(/^bounces\+digest\.[0-9a-f-]{36}@bounce\.acme-news\.io$/);
    expect(await dkimVerify(mail.raw, `v=DKIM1; k=rsa; p=${spki(dkim.publicKey)}`)).toBe('pass');
  });

  it('names every problem of a bad configuration and exits 1', async () => {
    const dns = await startDnsServer({
      'papers.acme-news.io': { TXT: ['v=spf1 mx ~all', 'v=spf1 a ~all'] },
      'pb1._domainkey.mailer.example-esp.io': { TXT: [`v=DKIM1; k=rsa; p=${spki(otherDkim.publicKey)}`] },
    });
    closers.push(dns.close);
    const env = {
      ...goodEnv(),
      PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
      MAIL_POSTAL_ADDRESS: '',
      DKIM_DOMAIN: 'mailer.example-esp.io',
      BOUNCE_ADDRESS: '',
      BOUNCE_VERP: '',
      BOUNCE_SMTP_PORT: '',
    };
    const r = await runPaperboy(['doctor', '--dns-server', dns.address], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('paperboy: doctor: 7 problems to fix (see above)');
    const out = r.stdout;
    expect(out).toContain('  FAIL  PUBLIC_URL: http://127.0.0.1:');
    expect(out).toContain('is not https');
    expect(out).toContain('  FAIL  MAIL_POSTAL_ADDRESS: not set: CAN-SPAM requires a postal address');
    expect(out).toContain('  FAIL  alignment: DKIM_DOMAIN mailer.example-esp.io does not align with the From domain papers.acme-news.io');
    expect(out).toContain('  warn  BOUNCE_ADDRESS: not set: bounce notices go to digest@papers.acme-news.io, where nothing reads them');
    expect(out).toMatch(/ {2}FAIL {2}one-click: POST http:\/\/127\.0\.0\.1:\d+\/unsubscribe failed: connect ECONNREFUSED/);
    expect(out).toContain('  FAIL  DNS TXT papers.acme-news.io: more than one SPF record');
    expect(out).toContain('  FAIL  DNS TXT pb1._domainkey.mailer.example-esp.io: the published key is not the public half of DKIM_PRIVATE_KEY');
    expect(out).toContain('  FAIL  DNS TXT _dmarc.papers.acme-news.io: no TXT record published; publish the one below');
    expect(out.trim().split('\n').at(-1)).toBe('7 to fix, 1 warning.');
  });
});
