/**
 * DKIM signing (RFC 6376, rsa-sha256, relaxed/relaxed) with over-signing:
 * From, Subject and both List-Unsubscribe headers are named once more in h=
 * than the message holds them, so a relay that adds a second one breaks the
 * signature instead of riding on it. nodemailer's signer and mailauth (the
 * Node 20 versions) both list only the headers present, which is why this is
 * done here; it is checked against dkimpy in test/mail/dkim.test.ts.
 */
import { createHash, createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import { isWireReady, markWireReady, needsDataEncoding } from './wire-ready.ts';

export interface DkimOptions {
  domainName: string;
  keySelector: string;
  /** PEM; `.env` files may carry it on one line with literal `\n`. */
  privateKey: string;
}

/** Signed when present (and as often as present). */
const SIGNED = [
  'from', 'reply-to', 'to', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post',
  'feedback-id', 'mime-version', 'content-type',
];
/** Named once more: an added instance of these fails verification. */
export const OVERSIGNED = ['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post'];

interface Field {
  key: string;
  /** The whole field as sent, folding included, without the final CRLF. */
  line: string;
}

/** Splits a raw message (latin1, so bytes map 1:1 to chars) into header fields and body. */
function split(raw: string): { fields: Field[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const fields: Field[] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last.line += `\r\n${line}`;
    else fields.push({ key: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line });
  }
  return { fields, body };
}

/** RFC 6376 §3.4.2. */
export function relaxedHeader(line: string): string {
  const i = line.indexOf(':');
  const value = line.slice(i + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
  return `${line.slice(0, i).trim().toLowerCase()}:${value}`;
}

/** RFC 6376 §3.4.4. */
function relaxedBody(body: string): string {
  const out = body.replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+/g, ' ').replace(/[ \t]+$/, '').replace(/(\r\n)*$/, '');
  return out ? `${out}\r\n` : '';
}

export function parseDkimKey(pem: string): KeyObject {
  const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`DKIM_PRIVATE_KEY: an RSA key is needed, not ${key.asymmetricKeyType}`);
  return key;
}

export type DkimSigner = (raw: Buffer, now?: Date) => Buffer;

export function createDkimSigner(opts: DkimOptions): DkimSigner {
  const key = parseDkimKey(opts.privateKey);
  return (raw, now = new Date()) => {
    const text = raw.toString('latin1');
    const { fields, body } = split(text);
    const bh = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
    // Each instance is taken from the bottom up (§5.4.2); a name with none left contributes nothing.
    const unused = new Map<string, Field[]>();
    for (const f of fields) unused.set(f.key, [...(unused.get(f.key) ?? []), f]);
    const names = [...SIGNED.flatMap((n) => Array<string>(unused.get(n)?.length ?? 0).fill(n)), ...OVERSIGNED];
    const data = names.flatMap((n) => {
      const f = unused.get(n)?.pop();
      return f ? [`${relaxedHeader(f.line)}\r\n`] : [];
    });
    const tags = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${opts.domainName}; s=${opts.keySelector}; t=${Math.floor(now.getTime() / 1000)}; bh=${bh}; h=${names.join(' : ')}; b=`;
    const header = foldLines(`DKIM-Signature: ${tags}`, 78);
    const signature = createSign('RSA-SHA256')
      .update(data.join('') + relaxedHeader(header), 'latin1')
      .sign(key, 'base64');
    // FWS is allowed anywhere in b= (§3.5), so the signature folds into short lines.
    const b = signature.match(/.{1,72}/g)!.join('\r\n ');
    const field = `${header}\r\n ${b}\r\n`;
    const signed = Buffer.concat([Buffer.from(field, 'latin1'), raw]);
    return isWireReady(raw) && !needsDataEncoding(field) ? markWireReady(signed) : signed;
  };
}
