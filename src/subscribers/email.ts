/**
 * Email address normalisation and the syntax check for the subscribe form.
 *
 * Accepted: a dot-atom local part (RFC 5322 atext, so plus-tags and the like),
 * an `@`, and a domain of two or more labels; Unicode domains are converted to
 * their ASCII (punycode) form, which is also what is stored. Rejected: quoted
 * local parts, IP-literal domains, non-ASCII local parts (SMTPUTF8 is rarely
 * supported end to end), and anything over 254 characters. The local part keeps
 * its case (it is the mailbox owner's business); the domain is lower-cased.
 */
import { domainToASCII } from 'node:url';

export const MAX_EMAIL_LENGTH = 254;

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export type EmailCheck = { ok: true; email: string } | { ok: false; reason: string };

export function normalizeEmail(input: string): EmailCheck {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, reason: 'is empty' };
  if (trimmed.length > MAX_EMAIL_LENGTH * 2) return { ok: false, reason: `is longer than ${MAX_EMAIL_LENGTH} characters` };
  const at = trimmed.lastIndexOf('@');
  if (at < 1 || at === trimmed.length - 1) return { ok: false, reason: 'is not an email address' };
  const local = trimmed.slice(0, at);
  const rawDomain = trimmed.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return { ok: false, reason: 'has an invalid part before the @' };
  // domainToASCII also applies IDNA mapping (case folding, width); '' means invalid.
  const domain = /^[\x21-\x7e]+$/.test(rawDomain) ? rawDomain.toLowerCase() : domainToASCII(rawDomain);
  const labels = domain.split('.');
  if (!domain || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1]!)) {
    return { ok: false, reason: 'has an invalid domain' };
  }
  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) return { ok: false, reason: `is longer than ${MAX_EMAIL_LENGTH} characters` };
  return { ok: true, email };
}
