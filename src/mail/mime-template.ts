/**
 * MIME built once per distinct digest, personalised per recipient by joining.
 *
 * Composing a message with nodemailer costs more than sending it over a pooled
 * SMTP connection, so for a digest shared by thousands of subscribers the
 * headers, boundaries and quoted-printable bodies are encoded once, and only
 * the recipient's values (address, Message-ID, tokenised links) are encoded
 * per message.
 *
 * The trick that makes splicing safe: quoted-printable "soft" line breaks
 * (`=` CRLF) decode to nothing, so each static chunk and each substituted value
 * is encoded on its own and joined with a soft break between them. The decoded
 * body is exactly static + value + static, and every line stays ≤ 76 chars.
 */
import { randomBytes } from 'node:crypto';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** A static string, or a named value filled in per recipient. */
export type Part = string | { slot: string };

export interface MimeSpec {
  /** Header name → value; a value may hold slots (e.g. List-Unsubscribe). */
  headers: [name: string, value: string | Part[]][];
  text: Part[];
  html: Part[];
}

type Chunk = string | { slot: string; as: 'header' | 'qp' };

export interface CompiledMime {
  /** Static parts as bytes (shared by every recipient), and the slots between them. */
  chunks: (Buffer | Exclude<Chunk, string>)[];
  slots: string[];
}

const CRLF = '\r\n';
const SOFT_BREAK = `=${CRLF}`;
const normalise = (s: string) => s.replace(/\r?\n/g, CRLF);
// 75, not 76: a soft break's "=" may follow the last encoded line.
const qp = (s: string) => qpWrap(qpEncode(normalise(s)), 75);

function headerValue(value: string): string {
  // Non-ASCII (titles in subjects) becomes RFC 2047 encoded words; folding keeps lines short.
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeWords(value, 'Q', 52);
}

function pushBody(chunks: Chunk[], parts: Part[]): void {
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part) chunks.push(qp(part) + SOFT_BREAK);
    } else {
      chunks.push({ slot: part.slot, as: 'qp' });
    }
  }
  chunks.push(CRLF);
}

export function compileMime(spec: MimeSpec): CompiledMime {
  const boundary = `----=_paperboy_${randomBytes(12).toString('hex')}`;
  const chunks: Chunk[] = [];
  for (const [name, value] of spec.headers) {
    chunks.push(`${name}: `);
    for (const part of typeof value === 'string' ? [value] : value) {
      chunks.push(typeof part === 'string' ? headerValue(part) : { slot: part.slot, as: 'header' });
    }
    chunks.push(CRLF);
  }
  chunks.push(
    `MIME-Version: 1.0${CRLF}Content-Type: multipart/alternative; boundary="${boundary}"${CRLF}${CRLF}`,
    // Text first: clients show the last alternative they understand.
    `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`,
  );
  pushBody(chunks, spec.text);
  chunks.push(`--${boundary}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`);
  pushBody(chunks, spec.html);
  chunks.push(`--${boundary}--${CRLF}`);

  // Merge neighbouring static strings so rendering is a short join.
  const merged: Chunk[] = [];
  for (const c of chunks) {
    const last = merged[merged.length - 1];
    if (typeof c === 'string' && typeof last === 'string') merged[merged.length - 1] = last + c;
    else merged.push(c);
  }
  const slots = [...new Set(merged.flatMap((c) => (typeof c === 'string' ? [] : [c.slot])))];
  // Encoded to bytes once: a message is then one Buffer.concat outside the JS
  // heap, with no 60 KB string to build, flatten and encode per recipient.
  return { chunks: merged.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)), slots };
}

export class MimeValueError extends Error {
  override name = 'MimeValueError';
}

/**
 * One piece of a body, quoted-printable encoded on its own and ended with a
 * soft break: bodies assembled from shared pieces (digest cards) encode each
 * piece once and pass the encoded pieces to renderMime.
 */
export const qpPiece = (s: string): Buffer => Buffer.from(qp(s) + SOFT_BREAK, 'utf8');

/**
 * The raw message for one recipient. Values are plain strings, encoded here,
 * or for a body slot, pieces already encoded with qpPiece.
 */
export function renderMime(compiled: CompiledMime, values: Record<string, string | readonly Buffer[]>): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const c of compiled.chunks) {
    let part: Buffer;
    if (Buffer.isBuffer(c)) {
      part = c;
    } else {
      const value = values[c.slot];
      if (value === undefined) throw new MimeValueError(`no value for slot ${c.slot}`);
      if (typeof value !== 'string') {
        if (c.as !== 'qp') throw new MimeValueError(`encoded pieces given for header slot ${c.slot}`);
        for (const piece of value) parts.push(piece);
        length += value.reduce((n, b) => n + b.length, 0);
        continue;
      }
      if (c.as === 'header') {
        // A CR or LF in a header value would let a value inject headers.
        if (/[\r\n]/.test(value)) throw new MimeValueError(`line break in header value for ${c.slot}`);
        part = Buffer.from(headerValue(value), 'utf8');
      } else {
        part = Buffer.from(qp(value) + SOFT_BREAK, 'utf8');
      }
    }
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts, length);
}
