/**
 * The DNS records a real send needs, derived from the configuration: SPF for
 * the envelope (bounce) domain, the DKIM key's TXT record, a DMARC policy for
 * the From domain and an MX for the bounce domain. Printed by `paperboy
 * doctor` in zone-file form, ready to paste.
 */
import { createPublicKey } from 'node:crypto';
import type { Config } from '../config.ts';
import { domainOf } from '../mail/address.ts';
import { parseDkimKey } from '../mail/dkim.ts';

export type RecordsConfig = Pick<Config, 'MAIL_FROM' | 'BOUNCE_ADDRESS' | 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY' | 'SMTP_URL' | 'publicUrl'>;

export interface DnsRecord {
  name: string;
  type: 'TXT' | 'MX';
  value: string;
  /** What it is for, printed as a zone-file comment. */
  why: string;
}

/** `p=` of the DKIM TXT record: the public half of DKIM_PRIVATE_KEY (base64 DER). */
export function dkimPublicKey(privateKeyPem: string): string {
  return createPublicKey(parseDkimKey(privateKeyPem)).export({ type: 'spki', format: 'der' }).toString('base64');
}

export function recordsToPublish(config: RecordsConfig): DnsRecord[] {
  const from = domainOf(config.MAIL_FROM);
  const bounce = config.BOUNCE_ADDRESS ? domainOf(config.BOUNCE_ADDRESS) : from;
  const relay = config.SMTP_URL ? new URL(config.SMTP_URL).hostname : undefined;
  const out: DnsRecord[] = [
    {
      name: bounce,
      type: 'TXT',
      // The relay's own SPF (ESPs document an include:) is what belongs here; a:relay is the plain-relay case.
      value: `v=spf1 ${relay ? `a:${relay} ` : ''}mx ~all`,
      why: `SPF for the envelope sender's domain (${config.BOUNCE_ADDRESS ? 'BOUNCE_ADDRESS' : 'MAIL_FROM'}); use your ESP's include: instead of a: if it gives one`,
    },
  ];
  if (config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY) {
    out.push({ name: `${config.DKIM_SELECTOR}._domainkey.${config.DKIM_DOMAIN}`, type: 'TXT', value: `v=DKIM1; k=rsa; p=${dkimPublicKey(config.DKIM_PRIVATE_KEY)}`, why: 'DKIM public key for DKIM_SELECTOR' });
  }
  out.push({ name: `_dmarc.${from}`, type: 'TXT', value: `v=DMARC1; p=none; rua=mailto:dmarc@${from}; adkim=r; aspf=r`, why: 'DMARC: start with p=none, read the reports, then move to quarantine' });
  if (config.BOUNCE_ADDRESS) {
    out.push({ name: bounce, type: 'MX', value: `10 ${new URL(config.publicUrl).hostname}.`, why: "bounce mail to paperboy's inbound SMTP endpoint (BOUNCE_SMTP_PORT behind port 25)" });
  }
  return out;
}

/** One zone-file line; TXT values over 255 characters are split into strings (RFC 7208 §3.3). */
export function zoneLine(r: DnsRecord): string {
  const value = r.type === 'TXT' ? r.value.match(/.{1,255}/g)!.map((s) => `"${s}"`).join(' ') : r.value;
  return `; ${r.why}\n${`${r.name}.`.padEnd(40)} IN ${r.type.padEnd(3)} ${value}`;
}
