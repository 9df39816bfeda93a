/** The two transports behind the Mailer interface, against a real SMTP server and a real folder. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createMailer } from '../../src/mail/create-mailer.ts';
import type { OutgoingMail } from '../../src/mail/mailer.ts';
import { createOutboxMailer } from '../../src/mail/outbox.ts';
import { createSmtpMailer, type SmtpFailure } from '../../src/mail/smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const mail = (to: string, over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  to,
  subject: 'Grüße — test ✓',
  html: '<p>Hello <b>there</b></p>',
  text: 'Hello there',
  ...over,
});

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

describe('SMTP mailer', () => {
  it('sends HTML and text with From, Reply-To, MAIL_HEADERS and a caller-supplied Message-ID', async () => {
    const mailer = createSmtpMailer({
      url: sink.url,
      from: 'paperboy <digest@example.org>',
      replyTo: 'help@example.org',
      mailHeaders: { 'X-Campaign': 'papers', 'X-Note': 'plain words' },
    });
    const sent = await mailer.send(mail('ada@example.org', { messageId: '<delivery-123@example.org>', campaign: 'confirm' }));
    expect(sent.messageId).toBe('<delivery-123@example.org>');
    expect(sent.response).toMatch(/^250/);
    const got = await sink.waitFor((m) => m.to.includes('ada@example.org'));
    expect(got.from).toBe('digest@example.org');
    expect(got.parsed.messageId).toBe('<delivery-123@example.org>');
    expect(got.parsed.subject).toBe('Grüße — test ✓');
    expect(got.parsed.replyTo?.text).toBe('help@example.org');
    expect(got.parsed.headers.get('x-campaign')).toBe('papers');
    expect(got.parsed.headers.get('x-note')).toBe('plain words');
    expect(got.parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    expect(got.parsed.headers.get('feedback-id')).toMatch(/^confirm:once:\d{4}-\d\d-\d\d:example\.org$/);
    expect(got.parsed.html).toContain('<b>there</b>');
    expect(got.parsed.text?.trim()).toBe('Hello there');
    await mailer.close();
  });

  it('uses BOUNCE_ADDRESS as envelope sender, VERP-tagged with the Message-ID when asked', async () => {
    const plain = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@example.org>', bounceAddress: 'bounces@mx.example.org' });
    await plain.send(mail('env-plain@example.org', { messageId: '<digest.42@example.org>' }));
    expect((await sink.waitFor((m) => m.to.includes('env-plain@example.org'))).from).toBe('bounces@mx.example.org');
    await plain.close();
    const verp = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@example.org>', bounceAddress: 'bounces@mx.example.org', verp: true });
    await verp.sendRaw({ to: 'env-verp@example.org', messageId: '<digest.42@example.org>', raw: Buffer.from('Subject: x\r\n\r\nbody\r\n') });
    expect((await sink.waitFor((m) => m.to.includes('env-verp@example.org'))).from).toBe('bounces+digest.42@mx.example.org');
    await verp.close();
  });

  it('carries line-start dots through SMTP as they were (dot-stuffed on the wire, un-stuffed by the server)', async () => {
    const mailer = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@example.org>' });
    // Large enough to reach the socket in several chunks; dots at line starts, a line of one dot and one of two.
    const body = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `.mj-column-${i} { width: 100% }` : i % 11 === 0 ? '.' : i % 13 === 0 ? '..' : `line ${i} of the digest=`)).join('\r\n');
    const raw = Buffer.from(`Subject: dots\r\nMessage-ID: <dots@example.org>\r\n\r\n${body}\r\n`);
    await mailer.sendRaw({ to: 'dots@example.org', messageId: '<dots@example.org>', raw });
    const got = await sink.waitFor((m) => m.to.includes('dots@example.org'));
    expect(got.raw).toBe(raw.toString());
    await mailer.close();
  });

  it('generates a Message-ID on the sender domain when none is given, and sends concurrently through the pool', async () => {
    const mailer = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@news.example.org>', maxConnections: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => mailer.send(mail(`pool-${i}@example.org`))));
    for (const r of results) expect(r.messageId).toMatch(/^<[0-9a-f-]{36}@news\.example\.org>$/);
    for (let i = 0; i < 8; i++) await sink.waitFor((m) => m.to.includes(`pool-${i}@example.org`));
    await mailer.close();
  });

  it('rejects with the SMTP code: 550 at RCPT TO, 421 after DATA once and then delivers', async () => {
    const mailer = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@example.org>' });
    await sink.reply('gone@example.org', 550, '5.1.1 no such user');
    await expect(mailer.send(mail('gone@example.org'))).rejects.toMatchObject({ responseCode: 550 } satisfies Partial<SmtpFailure>);
    await sink.reply('busy@example.org', 421, '4.3.2 try again later', { stage: 'data', times: 1 });
    await expect(mailer.send(mail('busy@example.org'))).rejects.toMatchObject({ responseCode: 421 });
    await mailer.send(mail('busy@example.org'));
    await sink.waitFor((m) => m.to.includes('busy@example.org'));
    await sink.clearReplies();
    await mailer.send(mail('gone@example.org'));
    await sink.waitFor((m) => m.to.includes('gone@example.org'));
    await mailer.close();
  });
});

describe('outbox mailer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-outbox-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the full MIME message as .eml and the HTML as .html', async () => {
    const mailer = createOutboxMailer({ dir: path.join(dir, 'outbox'), from: 'paperboy <digest@example.org>' });
    const sent = await mailer.send(mail('Ada+x@example.org', { messageId: '<m-1@example.org>' }));
    expect(sent.response).toMatch(/\.eml$/);
    const files = (await readdir(path.join(dir, 'outbox'))).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/ada\+x@example\.org-[0-9a-f]{6}\.eml$/);
    expect(files[1]).toMatch(/\.html$/);
    const parsed = await simpleParser(await readFile(sent.response));
    expect(parsed.messageId).toBe('<m-1@example.org>');
    expect(parsed.subject).toBe('Grüße — test ✓');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    expect(parsed.text?.trim()).toBe('Hello there');
    expect(await readFile(sent.response.replace(/\.eml$/, '.html'), 'utf8')).toBe('<p>Hello <b>there</b></p>');
    await mailer.close();
  });

  it('createMailer picks SMTP when SMTP_URL is set, the outbox otherwise', async () => {
    expect(createMailer(loadConfig({ DATA_DIR: dir })).kind).toBe('outbox');
    const smtp = createMailer(loadConfig({ DATA_DIR: dir, SMTP_URL: sink.url }));
    expect(smtp.kind).toBe('smtp');
    await smtp.close();
  });

  it('warns at start when DKIM_DOMAIN does not align with the From domain, and not when it does', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const base = { DATA_DIR: dir, SMTP_URL: sink.url, MAIL_FROM: 'paperboy <digest@news.example.org>', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: key };
    await createMailer(loadConfig({ ...base, DKIM_DOMAIN: 'example.org' }), log).close();
    expect(lines).toEqual([]);
    await createMailer(loadConfig({ ...base, DKIM_DOMAIN: 'mailer.example.net' }), log).close();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('DKIM_DOMAIN mailer.example.net does not align with the From domain news.example.org') });
  });
});
