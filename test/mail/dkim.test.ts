/**
 * DKIM: digests are sent as pre-built raw MIME; nodemailer must still sign
 * them, and the signature must cover both List-Unsubscribe headers (RFC 8058
 * §4), which nodemailer's default header list does not.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMime, renderMime } from '../../src/mail/mime-template.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

describe('DKIM signing of raw digests', () => {
  it('signs List-Unsubscribe and List-Unsubscribe-Post, verifiably', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mailer = createSmtpMailer({
      url: sink.url,
      from: 'paperboy <digest@papers.example.org>',
      dkim: { domainName: 'papers.example.org', keySelector: 'pb2025', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    const mime = compileMime({
      headers: [
        ['From', 'paperboy <digest@papers.example.org>'],
        ['To', [{ slot: 'to' }]],
        ['Subject', 'Daily Papers · Dec 16'],
        ['Message-ID', '<digest.1@papers.example.org>'],
        ['List-Unsubscribe', '<https://papers.example.org/unsubscribe?token=abc>'],
        ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ],
      text: ['hello'],
      html: ['<p>hello</p>'],
    });
    await mailer.sendRaw({ to: 'ada@example.org', messageId: '<digest.1@papers.example.org>', raw: renderMime(mime, { to: 'ada@example.org' }) });
    const mail = await sink.waitFor((m) => m.to.includes('ada@example.org'));
    await mailer.close();

    const sigLine = mail.parsed.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
    const tags = Object.fromEntries(
      sigLine.replace(/^DKIM-Signature:\s*/i, '').replace(/\s+/g, '').split(';').filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
    );
    expect(tags.d).toBe('papers.example.org');
    expect(tags.s).toBe('pb2025');
    const signed = String(tags.h).toLowerCase().split(':');
    expect(signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));

    // Verify the signature over the relaxed-canonicalised headers it names (RFC 6376 §3.4.2, §3.7).
    const relaxed = (line: string) => {
      const i = line.indexOf(':');
      return `${line.slice(0, i).trim().toLowerCase()}:${line.slice(i + 1).replace(/\r?\n[ \t]+/g, ' ').replace(/[ \t]+/g, ' ').trim()}`;
    };
    const lines = mail.parsed.headerLines;
    const data = signed.map((name) => `${relaxed(lines.find((h) => h.key === name)!.line)}\r\n`).join('') + relaxed(sigLine).replace(/b=[^;]*$/, 'b=');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(data);
    expect(verifier.verify(publicKey, Buffer.from(String(tags.b), 'base64'))).toBe(true);
  });
});
