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
 *
 * A rendered message is ready for the wire as it is: every line ends in CRLF
 * and none starts with "." (the encoder writes such a dot as =2E), so SMTP's
 * DATA encoding would change nothing. renderMime says so (wire-ready.ts), and
 * the DATA encoder then passes its 60 KB through without looking for the
 * line breaks and dots it would otherwise check line by line (dot-stuffing.ts).
 */
import { randomBytes } from 'node:crypto';
import { foldHeader, HeaderError } from './fold.ts';
import { markWireReady, needsDataEncoding } from './wire-ready.ts';

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
  /** Whether the static parts need nothing of SMTP's DATA encoding (see wireReady): then neither does a message rendered from them. */
  wireReady: boolean;
}

const CRLF = '\r\n';
const SOFT_BREAK = `=${CRLF}`;
const normalise = (s: string) => s.replace(/\r?\n/g, CRLF);
// 75, not 76: a soft break's "=" may follow the last encoded line.
const LINE = 75;
// Printable ASCII and spaces but "=": quoted-printable writes these as they
// are (RFC 2045 6.7), so such a value (a URL's token, a signature, most
// why-lines and subjects) only needs its soft breaks. A space may not end an
// encoded line; here every line ends with a soft break's "=" (this cut, or
// the one each piece ends with), so none does.
const LITERAL = /^[\x20-\x3c\x3e-\x7e]*$/;

const DOT = 0x2e;
/** SMTP stuffs a dot that starts a line (RFC 5321 §4.5.2); written =2E, the message needs no stuffing. */
const LEADING_DOT = '=2E';

const HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
const breakAt = (s: string, i: number) => s.charCodeAt(i) === 0x0d && s.charCodeAt(i + 1) === 0x0a;
/** Written as it is: printable ASCII but "=", and a space or tab where no line break follows. */
function verbatimAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (c > 0x20 && c < 0x7f && c !== 0x3d) || ((c === 0x20 || c === 0x09) && !breakAt(s, i + 1));
}

/**
 * Quoted-printable (RFC 2045 §6.7) of text that is not all printable ASCII:
 * each UTF-8 byte outside it as =XX, CRLF kept as a line break, a space or
 * tab before one encoded, lines cut with soft breaks at LINE characters and
 * never inside an =XX, a "." that would start a line as =2E. Runs of
 * printable ASCII are copied as slices: a
 * digest's why-lines and subjects with quotes or accents are encoded per
 * reader, and are mostly ASCII.
 */
function qpEncoded(input: string): string {
  const s = normalise(input);
  let out = '';
  let line = 0;
  for (let i = 0; i < s.length; ) {
    if (breakAt(s, i)) {
      out += CRLF;
      line = 0;
      i += 2;
      continue;
    }
    let end = i;
    while (end < s.length && verbatimAt(s, end)) end++;
    while (i < end) {
      if (line === LINE) {
        out += SOFT_BREAK;
        line = 0;
      }
      if (line === 0 && s.charCodeAt(i) === DOT) {
        out += LEADING_DOT;
        line = LEADING_DOT.length;
        i++;
        continue;
      }
      const take = Math.min(LINE - line, end - i);
      out += s.slice(i, i + take);
      line += take;
      i += take;
    }
    // The run that needs escaping, up to the next line break or written character, as UTF-8 bytes.
    while (end < s.length && !breakAt(s, end) && !verbatimAt(s, end)) end++;
    for (const b of Buffer.from(s.slice(i, end), 'utf8')) {
      if (line + 3 > LINE) {
        out += SOFT_BREAK;
        line = 0;
      }
      out += HEX[b];
      line += 3;
    }
    i = end;
  }
  return out;
}

/** Whether a line cut every LINE characters would start with a dot. */
function dotStartsLine(s: string): boolean {
  for (let i = 0; i < s.length; i += LINE) if (s.charCodeAt(i) === DOT) return true;
  return false;
}

function qp(s: string): string {
  if (!LITERAL.test(s) || dotStartsLine(s)) return qpEncoded(s);
  if (s.length <= LINE) return s;
  let out = s.slice(0, LINE);
  for (let i = LINE; i < s.length; i += LINE) out += SOFT_BREAK + s.slice(i, i + LINE);
  return out;
}

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
  // Every chunk starts a line (each ends with CRLF or a soft break), and so
  // does each piece a slot takes (qpText's end with a soft break): a line can
  // only start with "." at a chunk's start or after a CRLF inside it. Bodies
  // are the encoder's (no such dot, no bare CR or LF), header values hold no
  // line break (fold.ts), and folded lines start with a space.
  const wireReady = merged.every((c) => (typeof c === 'string' ? !needsDataEncoding(c) : !('header' in c) || !c.header.startsWith('.')));
  // Encoded to bytes once: a message is then one Buffer.concat outside the JS
  // heap, with no 60 KB string to build, flatten and encode per recipient.
  return { chunks: merged.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)), slots, wireReady };
}

export class MimeValueError extends Error {
  override name = 'MimeValueError';
}

/**
 * One piece of a body, quoted-printable encoded on its own and ended with a
 * soft break: bodies assembled from shared pieces (digest cards) encode each
 * piece once and pass the encoded pieces to renderMime.
 */
export const qpPiece = (s: string): EncodedBytes => Buffer.from(qpText(s), 'latin1') as EncodedBytes;

/** qpPiece as a string (quoted-printable is ASCII): to keep, or to pass to renderMime, without a Buffer of its own. */
export const qpText = (s: string): EncodedText => (qp(s) + SOFT_BREAK) as EncodedText;

/** A piece of nothing, where a body has nothing to put. */
export const NO_PIECE = '' as EncodedText;

declare const encoded: unique symbol;
/** Marks what this module's encoder wrote: the only pieces renderMime takes for a body, so what it renders is wire-ready. */
type Encoded = { readonly [encoded]: true };
export type EncodedBytes = Buffer & Encoded;
export type EncodedText = string & Encoded;
/** An encoded piece of a body: bytes of qpPiece, or the (ASCII) text of qpText. */
export type EncodedPiece = EncodedBytes | EncodedText;

type Values = Record<string, string | readonly EncodedPiece[]>;

function valueOf(values: Values, slot: string): string | readonly EncodedPiece[] {
  const value = values[slot];
  if (value === undefined) throw new MimeValueError(`no value for slot ${slot}`);
  return value;
}

function renderHeader(name: string, parts: Part[], values: Values): string {
  const value = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const v = valueOf(values, p.slot);
      if (typeof v !== 'string') throw new MimeValueError(`encoded pieces given for header slot ${p.slot}`);
      return v;
    })
    .join('');
  try {
    return foldHeader(name, value) + CRLF;
  } catch (err) {
    // A CR or LF in a recipient's value would let it inject headers.
    if (err instanceof HeaderError) throw new MimeValueError(err.message);
    throw err;
  }
}

/**
 * The raw message for one recipient. Values are plain strings, encoded here,
 * or for a body slot, pieces already encoded with qpPiece or qpText. The
 * message is written into one Buffer sized for it: no Buffer per piece.
 */
export function renderMime(compiled: CompiledMime, values: Values): Buffer {
  const parts: (Buffer | string)[] = [];
  let length = 0;
  const add = (piece: Buffer | string) => {
    parts.push(piece);
    length += typeof piece === 'string' ? piece.length : piece.length;
  };
  for (const c of compiled.chunks) {
    if (Buffer.isBuffer(c)) add(c);
    else if ('header' in c) {
      // Folded headers may keep UTF-8 (RFC 6532): bytes, not characters, to count.
      add(Buffer.from(renderHeader(c.header, c.parts, values), 'utf8'));
    } else {
      const value = valueOf(values, c.slot);
      if (typeof value === 'string') add(qpText(value));
      else for (const piece of value) add(piece);
    }
  }
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const piece of parts) {
    if (typeof piece === 'string') at += out.write(piece, at, 'latin1');
    else {
      out.set(piece, at);
      at += piece.length;
    }
  }
  if (at !== length) throw new Error('message length changed while rendering');
  return compiled.wireReady ? markWireReady(out) : out;
}
