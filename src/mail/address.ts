/**
 * Address headers (From, Reply-To) are built one way for every email: the
 * configured value is parsed into name and address, and the name written as
 * RFC 5322 wants it — bare when it is plain words, a quoted string when it
 * holds specials like a comma, an RFC 2047 encoded word when it is not ASCII.
 * Encoding the whole `"Name" <addr>` string instead puts the quotes inside the
 * encoded word, and mail clients then show them.
 */
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord } from 'nodemailer/lib/mime-funcs';

export interface Mailbox {
  name: string;
  address: string;
}

export class AddressError extends Error {
  override name = 'AddressError';
}

/** `"Paperboy, Über-Digest" <papers@example.org>` → name and address; exactly one mailbox. */
export function parseMailbox(spec: string): Mailbox {
  const found = addressparser(spec, { flatten: true });
  const first = found[0];
  if (found.length !== 1 || !first || !('address' in first) || !first.address || !/^[^@\s]+@[^@\s]+$/.test(first.address)) {
    throw new AddressError(`not one email address: ${JSON.stringify(spec)}`);
  }
  return { name: first.name.trim(), address: first.address };
}

/** The header value for a mailbox: ASCII only, ready to fold. */
export function formatMailbox(mailbox: Mailbox): string {
  const { name, address } = mailbox;
  if (!name) return address;
  // atext and spaces need no quoting (RFC 5322 §3.2.3).
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return `${name} <${address}>`;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/[\\"]/g, '\\$&')}" <${address}>`;
  // Q-encoding escapes every phrase special (comma, quote, …), RFC 2047 §5 (3).
  return `${encodeWord(name, 'Q', 52)} <${address}>`;
}

/** The domain of an address or mailbox spec, lower case. */
export function domainOf(addressOrSpec: string): string {
  const address = addressOrSpec.includes('<') ? parseMailbox(addressOrSpec).address : addressOrSpec;
  return address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase();
}
