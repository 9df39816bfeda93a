/**
 * DKIM: every message is signed by src/mail/dkim.ts, checked here by dkimpy,
 * an independent implementation. The signature over-signs From, Subject and
 * both List-Unsubscribe headers, so one added by a relay breaks it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDkimSigner } from '../../src/mail/dkim.ts';
import { compileMime, renderMime } from '../../src/mail/mime-template.ts';
import { isWireReady } from '../../src/mail/wire-ready.ts';
import { createSmtpMailer } from '../../src/mail/smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { dkimRecord, dkimVerify } from './dkimpy.ts';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const record = dkimRecord(publicKey.export({ type: 'spki', format: 'der' }));
const dkim = { domainName: 'papers.example.org', keySelector: 'pb2025', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

const tagsOf = (raw: string) => {
  const sig = /^DKIM-Signature:(.*(?:\r\n[ \t].*)*)/im.exec(raw)![1]!.replace(/\s+/g, '');
  return Object.fromEntries(sig.split(';').filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
};

describe('DKIM signing', () => {
  it('signs raw digests verifiably, over-signing From, Subject and both List-Unsubscribe headers', async () => {
    // A PEM on one line with literal \n, as .env files carry it.
    const mailer = createSmtpMailer({ url: sink.url, from: 'paperboy <digest@papers.example.org>', dkim: { ...dkim, privateKey: dkim.privateKey.replace(/\n/g, '\\n') } });
    const mime = compileMime({
      headers: [
        ['From', 'paperboy <digest@papers.example.org>'],
        ['To', [{ slot: 'to' }]],
        ['Subject', `Daily Papers · Dec 16 — ${'大規模言語モデルの推論 🚀 '.repeat(6)}`],
        ['Message-ID', '<digest.1@papers.example.org>'],
        ['List-Unsubscribe', `<https://papers.example.org/unsubscribe?token=${'a'.repeat(150)}>`],
        ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ],
      text: ['hello  \n\n\n'],
      html: ['<p>hello</p>'],
    });
    const raw = renderMime(mime, { to: 'ada@example.org' });
    // Signing keeps a wire-ready message so (the DATA encoder then sends it as it is), and does not mark one that is not.
    expect(isWireReady(createDkimSigner(dkim)(raw))).toBe(true);
    expect(isWireReady(createDkimSigner(dkim)(Buffer.from(raw)))).toBe(false);
    await mailer.sendRaw({ to: 'ada@example.org', messageId: '<digest.1@papers.example.org>', raw });
    const mail = await sink.waitFor((m) => m.to.includes('ada@example.org'));
    await mailer.close();

    const tags = tagsOf(mail.raw);
    expect(tags.d).toBe('papers.example.org');
    expect(tags.s).toBe('pb2025');
    const h = String(tags.h).toLowerCase().split(':');
    for (const name of ['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']) expect(h.filter((n) => n === name)).toHaveLength(2);
    expect(h).toEqual(expect.arrayContaining(['to', 'message-id', 'mime-version', 'content-type']));
    expect(await dkimVerify(mail.raw, record)).toBe('pass');

    // What over-signing is for: a second From, Subject or List-Unsubscribe added on the way fails.
    const [head, ...body] = mail.raw.split('\r\n\r\n');
    for (const added of ['From: other <x@evil.example>', 'Subject: changed', 'List-Unsubscribe: <https://evil.example/u>']) {
      expect(await dkimVerify([`${head}\r\n${added}`, ...body].join('\r\n\r\n'), record)).toBe('fail');
    }
    // And an edited body fails too.
    expect(await dkimVerify(mail.raw.replace('hello', 'hallo'), record)).toBe('fail');
  });

  it('signs confirmation-style mail (built from an OutgoingMail) the same way', async () => {
    const mailer = createSmtpMailer({ url: sink.url, from: '"Paperboy, Über-Digest" <papers@papers.example.org>', dkim });
    await mailer.send({ to: 'grace@example.org', subject: 'Confirm ✓', html: '<p>Confirm</p>', text: 'Confirm', campaign: 'confirm' });
    const mail = await sink.waitFor((m) => m.to.includes('grace@example.org'));
    await mailer.close();
    expect(await dkimVerify(mail.raw, record)).toBe('pass');
    // No List-Unsubscribe in a confirmation, yet one added later still fails: the absent header is signed.
    const [head, ...body] = mail.raw.split('\r\n\r\n');
    expect(await dkimVerify([`${head}\r\nList-Unsubscribe: <https://evil.example/u>`, ...body].join('\r\n\r\n'), record)).toBe('fail');
  });
});
