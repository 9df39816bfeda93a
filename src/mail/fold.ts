/**
 * One header line, encoded and folded (RFC 5322 §2.1.1, §2.2.3): non-ASCII
 * text becomes RFC 2047 encoded words, lines break at whitespace before 78
 * characters where there is whitespace to break at, and nothing ever reaches
 * 998 — a value that cannot be folded under it is refused rather than sent
 * broken. Unfolding (dropping each CRLF) gives back the value exactly.
 */
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';

export const PREFERRED_LINE = 78;
export const MAX_LINE = 998;

export class HeaderError extends Error {
  override name = 'HeaderError';
}

/** `Name: value`, folded, without the final CRLF. */
export function foldHeader(name: string, value: string): string {
  if (!/^[!-9;-~]+$/.test(name)) throw new HeaderError(`not a header name: ${JSON.stringify(name)}`);
  // A CR or LF in a value would let it inject headers.
  if (/[\r\n]/.test(value)) throw new HeaderError(`line break in the value of ${name}`);
  // Encoded words are at most 52 characters, so they fold like ordinary words.
  const encoded = /^[\x20-\x7e]*$/.test(value) ? value : encodeWords(value, 'Q', 52);
  const folded = foldLines(`${name}: ${encoded}`, PREFERRED_LINE);
  for (const line of folded.split('\r\n')) {
    if (line.length > MAX_LINE) throw new HeaderError(`${name} has a ${line.length}-character run without whitespace (the limit is ${MAX_LINE})`);
  }
  return folded;
}
