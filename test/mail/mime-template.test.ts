import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { compileMime, MimeValueError, qpText, renderMime, type MimeSpec } from '../../src/mail/mime-template.ts';
import { isWireReady } from '../../src/mail/wire-ready.ts';

const longLine = 'A paragraph with ünïcödé, = signs and a very long line that must be wrapped. '.repeat(5);
const spec: MimeSpec = {
  headers: [
    ['From', 'paperboy <digest@example.org>'],
    ['To', [{ slot: 'to' }]],
    ['Subject', 'Daily Papers · Dec 8 — Granite Vision: a lightweight, open-source multimodal model'],
    ['Message-ID', [{ slot: 'messageId' }]],
    ['List-Unsubscribe', ['<', { slot: 'unsubscribe' }, '>']],
    ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
  ],
  text: [`Hello\n${longLine}\nUnsubscribe: `, { slot: 'unsubscribe' }, '\nBye\n'],
  html: [`<p>${longLine}</p><a href="`, { slot: 'unsubscribeHtml' }, '">unsubscribe</a>'],
};

describe('compileMime / renderMime', () => {
  const compiled = compileMime(spec);
  const url = `https://papers.example.org/unsubscribe?token=${'x'.repeat(120)}.abc-_`;
  const values = { to: 'ada+news@example.org', messageId: '<digest.1@example.org>', unsubscribe: url, unsubscribeHtml: url.replace(/&/g, '&amp;') };

  it('decodes to exactly the static parts with the values spliced in', async () => {
    const raw = renderMime(compiled, values);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(spec.headers[2]![1]);
    expect(mail.messageId).toBe('<digest.1@example.org>');
    expect((mail.to as { text: string }).text).toBe('ada+news@example.org');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    expect(mail.text).toBe(`Hello\n${longLine}\nUnsubscribe: ${url}\nBye\n`);
    expect(mail.html).toBe(`<p>${longLine}</p><a href="${url}">unsubscribe</a>`);
  });

  it('keeps every line within the MIME limits, text part first', () => {
    const raw = renderMime(compiled, values).toString('utf8');
    const bodyLines = raw.split('\r\n\r\n').slice(1).join('\r\n\r\n').split('\r\n');
    for (const line of bodyLines) expect(line.length).toBeLessThanOrEqual(76);
    expect(raw.indexOf('text/plain')).toBeLessThan(raw.indexOf('text/html'));
    expect(raw).not.toMatch(/[^\r]\n/);
  });

  it('writes ASCII with spaces as it is, and never ends an encoded line with a space', async () => {
    // Spaces fall on every cut: a why-line of one-letter words, encoded as a piece the way compose encodes a digest's own words.
    const words = `Because you liked ${'a '.repeat(120)}(speculative decoding, quantization)`;
    const piece = qpText(words);
    expect(piece).toContain('Because you liked a a a');
    const raw = renderMime(compileMime({ headers: [['From', 'a@example.org'], ['To', 'b@example.org'], ['Subject', 's']], text: [{ slot: 'text' }], html: [{ slot: 'html' }] }), {
      text: [piece],
      html: [piece],
    });
    const body = raw.toString('utf8').split('\r\n\r\n').slice(1).join('\r\n\r\n').split('\r\n');
    for (const line of body) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).not.toMatch(/[ \t]$/);
    }
    const mail = await simpleParser(raw);
    expect(mail.text).toBe(words);
    expect(mail.html).toBe(words);
  });

  it('encodes text with quotes, accents, signs and line breaks so it decodes as it was', async () => {
    // Random text over the characters that take the encoder's every path: bytes to escape, "=", spaces and tabs before line breaks, long runs to cut.
    const alphabet = ['a', 'Z', '7', ' ', ' ', '\t', '=', '.', '\n', '\n.', 'ü', '—', '…', '‘', '’', '€', '🙂', 'x'.repeat(40), '.'.repeat(40), '= '.repeat(30)];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const mime = compileMime({ headers: [['From', 'a@example.org'], ['To', 'b@example.org'], ['Subject', 's']], text: [{ slot: 'text' }], html: [{ slot: 'html' }] });
    for (let round = 0; round < 300; round++) {
      const words = Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
      const piece = qpText(words);
      const raw = renderMime(mime, { text: [piece, qpText('end')], html: [piece] });
      expect(isWireReady(raw)).toBe(true);
      const lines = raw.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n').split('\r\n');
      for (const line of lines) {
        expect(line.length, JSON.stringify(words)).toBeLessThanOrEqual(76);
        expect(line, JSON.stringify(words)).not.toMatch(/[ \t]$/);
        expect(line, JSON.stringify(words)).toMatch(/^[\x20-\x7e\t]*$/);
        // SMTP would stuff a dot that starts a line; the encoder writes it =2E, so the message goes out as built.
        expect(line, JSON.stringify(words)).not.toMatch(/^\./);
      }
      const mail = await simpleParser(raw);
      expect(mail.text, JSON.stringify(words)).toBe(`${words}end`);
      expect(mail.html, JSON.stringify(words)).toBe(words);
    }
  });

  it('personalises the same compiled message for many recipients', async () => {
    const a = await simpleParser(renderMime(compiled, { ...values, to: 'a@example.org', unsubscribe: 'https://x/u?token=A' }));
    const b = await simpleParser(renderMime(compiled, { ...values, to: 'b@example.org', unsubscribe: 'https://x/u?token=B' }));
    expect(a.text).toContain('token=A');
    expect(b.text).toContain('token=B');
    expect(b.text).not.toContain('token=A');
  });

  it('refuses header injection and missing values', () => {
    expect(() => renderMime(compiled, { ...values, to: 'a@example.org\r\nBcc: evil@example.org' })).toThrow(MimeValueError);
    expect(() => renderMime(compiled, { to: 'a@example.org' })).toThrow(/no value for slot/);
    expect(compiled.slots.sort()).toEqual(['messageId', 'to', 'unsubscribe', 'unsubscribeHtml']);
  });
});
