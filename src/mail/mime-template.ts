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
 * Headers are folded by fold.ts: once here for static ones, per recipient for
 * those holding a value (To, List-Unsubscribe, …), since folding depends on it.
 */
import { randomBytes } from 'node:crypto';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { foldHeader, HeaderError } from './fold.ts';

/** A static string, or a named value filled in per recipient. */
export type Part = string | { slot: string };

export interface MimeSpec {
  /** Header name → value; a value may hold slots (e.g. List-Unsubscribe). */
  headers: [name: string, value: string | Part[]][];
  text: Part[];
  html: Part[];
}

/** A body slot, or a header with slots: folded per recipient, since folding depends on the values. */
type Chunk = string | { slot: string } | { header: string; parts: Part[] };

export interface CompiledMime {
  /** Static parts as bytes (shared by every recipient), and what is filled in between them. */
  chunks: (Buffer | Exclude<Chunk, string>)[];
  slots: string[];
}

const CRLF = '\r\n';
const SOFT_BREAK = `=${CRLF}`;
const normalise = (s: string) => s.replace(/\r?\n/g, CRLF);
// 75, not 76: a soft break's "=" may follow the last encoded line.
const qp = (s: string) => qpWrap(qpEncode(normalise(s)), 75);

function pushBody(chunks: Chunk[], parts: Part[]): void {
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part) chunks.push(qp(part) + SOFT_BREAK);
    } else {
      chunks.push({ slot: part.slot });
    }
  }
  chunks.push(CRLF);
}

export function compileMime(spec: MimeSpec): CompiledMime {
  const boundary = `----=_paperboy_${randomBytes(12).toString('hex')}`;
  const chunks: Chunk[] = [];
  for (const [name, value] of spec.headers) {
    const parts = typeof value === 'string' ? [value] : value;
    if (parts.every((p) => typeof p === 'string')) chunks.push(foldHeader(name, parts.join('')) + CRLF);
    else chunks.push({ header: name, parts });
  }
  chunks.push(
    `MIME-Version: 1.0${CRLF}Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"${CRLF}${CRLF}`,
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
  const slotsOf = (c: Chunk): string[] =>
    typeof c === 'string' ? [] : 'slot' in c ? [c.slot] : c.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.slot]));
  const slots = [...new Set(merged.flatMap(slotsOf))];
  // Encoded to bytes once: a message is then one Buffer.concat outside the JS
  // heap, with no 60 KB string to build, flatten and encode per recipient.
  return { chunks: merged.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)), slots };
}

export class MimeValueError extends Error {
  override name = 'MimeValueError';
}

function valueOf(values: Record<string, string>, slot: string): string {
  const value = values[slot];
  if (value === undefined) throw new MimeValueError(`no value for slot ${slot}`);
  return value;
}

function renderHeader(name: string, parts: Part[], values: Record<string, string>): string {
  const value = parts.map((p) => (typeof p === 'string' ? p : valueOf(values, p.slot))).join('');
  try {
    return foldHeader(name, value) + CRLF;
  } catch (err) {
    // A CR or LF in a recipient's value would let it inject headers.
    if (err instanceof HeaderError) throw new MimeValueError(err.message);
    throw err;
  }
}

/** The raw message for one recipient. Values are plain strings, encoded here. */
export function renderMime(compiled: CompiledMime, values: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const c of compiled.chunks) {
    let part: Buffer;
    if (Buffer.isBuffer(c)) part = c;
    else if ('header' in c) part = Buffer.from(renderHeader(c.header, c.parts, values), 'utf8');
    else part = Buffer.from(qp(valueOf(values, c.slot)) + SOFT_BREAK, 'utf8');
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts, length);
}
