import { describe, expect, it } from 'vitest';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream.js';
import { simpleParser } from 'mailparser';
import { dotOffsets, installFastDotStuffing, originalTransform } from '../../src/mail/dot-stuffing.ts';
import { compileMime, qpText, renderMime } from '../../src/mail/mime-template.ts';
import { isWireReady } from '../../src/mail/wire-ready.ts';

installFastDotStuffing();

/** What one DataStream writes for these chunks, with nodemailer's loop or with the fast path installed. */
async function encode(chunks: Buffer[], original: boolean): Promise<{ out: Buffer; inBytes: number; outBytes: number }> {
  const stream = new DataStream() as InstanceType<typeof DataStream> & { inByteCount: number; outByteCount: number };
  if (original) (stream as unknown as { _transform: typeof originalTransform })._transform = originalTransform;
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  await ended;
  return { out: Buffer.concat(out), inBytes: stream.inByteCount, outBytes: stream.outByteCount };
}

// A small deterministic generator, so a failure can be replayed.
function random(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

describe('fast dot-stuffing', () => {
  it('finds the dots to stuff in plain CRLF and refuses anything else', () => {
    const text = Buffer.from('.a\r\nb.\r\n..c\r\n\r\n.\r\n');
    expect(dotOffsets(text, false)).toEqual([0, 8, 15]);
    expect(dotOffsets(text, 0x0a)).toEqual([0, 8, 15]);
    expect(dotOffsets(text, 0x41)).toEqual([8, 15]); // mid-line: the first dot is not at a line's start
    expect(dotOffsets(Buffer.from('a\nb\r\n'), false)).toBeNull(); // bare LF
    expect(dotOffsets(Buffer.from('a\rb\r\n'), false)).toBeNull(); // bare CR
    expect(dotOffsets(Buffer.from('a\r\nb\r'), false)).toBeNull(); // CRLF split across chunks
    expect(dotOffsets(Buffer.from('\nb'), 0x0d)).toBeNull();
  });

  it('writes what nodemailer writes, for random text and chunking', async () => {
    const next = random(42);
    const alphabet = ['a', 'b', ' ', '.', '.', '\r\n', '\r\n', '\r\n', '\r', '\n', '='];
    for (let round = 0; round < 400; round++) {
      // Most rounds are plain CRLF (the fast path); a third may hold bare CR or LF (nodemailer's loop).
      const plain = round % 3 !== 0;
      const pick = plain ? alphabet.filter((c) => c !== '\r' && c !== '\n') : alphabet;
      let text = '';
      const length = 1 + Math.floor(next() * 300);
      while (text.length < length) text += pick[Math.floor(next() * pick.length)];
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * 80);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const [fast, slow] = await Promise.all([encode(chunks, false), encode(chunks, true)]);
      expect(fast.out.toString('latin1'), JSON.stringify(text)).toBe(slow.out.toString('latin1'));
      expect([fast.inBytes, fast.outBytes]).toEqual([slow.inBytes, slow.outBytes]);
    }
  });

  it('takes the fast path for a message paperboy builds (a CSS rule at a line start is stuffed, nothing else changes)', async () => {
    const message = Buffer.from(['Subject: Daily', '', '<style>', '.card { color: red }', '</style>', 'Line two=', '..', ''].join('\r\n'));
    expect(dotOffsets(message, false)).toEqual([message.indexOf('.card'), message.indexOf('\r\n..') + 2]);
    const { out } = await encode([message], false);
    expect(out.toString()).toBe(['Subject: Daily', '', '<style>', '..card { color: red }', '</style>', 'Line two=', '...', '.', ''].join('\r\n'));
  });

  it('sends a message renderMime built as it is: its CSS rules at a line start are written =2E, so there is nothing to stuff', async () => {
    const css = '<style>\n.card { color: red }\n.rank { font-weight: bold }\n</style>';
    const mime = compileMime({ headers: [['From', 'a@example.org'], ['To', [{ slot: 'to' }]], ['Subject', 'Daily']], text: ['.one\n', { slot: 'text' }], html: [css, { slot: 'html' }] });
    const raw = renderMime(mime, { to: 'b@example.org', text: [qpText('.two\n...')], html: [qpText(`.${'x'.repeat(74)}.after a cut`)] });
    expect(isWireReady(raw)).toBe(true);
    expect(raw.toString('latin1')).not.toMatch(/\r\n\./);
    const [fast, slow] = await Promise.all([encode([raw], false), encode([raw], true)]);
    expect(fast.out.equals(slow.out)).toBe(true);
    // Nothing stuffed: the message and DATA's end (CRLF . CRLF).
    expect(fast.out.equals(Buffer.concat([raw, Buffer.from('.\r\n')]))).toBe(true);
    const mail = await simpleParser(raw);
    expect(mail.text).toBe('.one\n.two\n...');
    expect(mail.html).toBe(`${css}.${'x'.repeat(74)}.after a cut`);
  });

  it('checks a copy or a slice of a wire-ready message as any other chunk', async () => {
    const raw = renderMime(compileMime({ headers: [['Subject', 'x']], text: [{ slot: 'text' }], html: ['<p>hi</p>'] }), { text: [qpText('a')] });
    const copy = Buffer.from(raw);
    expect(isWireReady(raw)).toBe(true);
    expect(isWireReady(copy)).toBe(false);
    expect(isWireReady(raw.subarray(0, 10))).toBe(false);
    const odd = Buffer.concat([Buffer.from('.x\n'), copy]);
    const [fast, slow] = await Promise.all([encode([odd], false), encode([odd], true)]);
    expect(fast.out.toString('latin1')).toBe(slow.out.toString('latin1'));
    expect(fast.out.toString('latin1').startsWith('..x\r\n')).toBe(true);
  });
});
