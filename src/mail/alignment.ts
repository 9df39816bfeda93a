/**
 * DMARC alignment (RFC 7489 §3.1, relaxed mode): a DKIM signature or an SPF
 * pass counts for DMARC only when its domain (d=, or the envelope sender's
 * domain) shares the From domain's organisational domain. Without the public
 * suffix list, the organisational domain is taken as the last two labels, or
 * three under a two-letter country code with a generic second level
 * (example.co.uk): news.example.org, bounce.example.org and example.org align.
 */
import type { Config } from '../config.ts';
import { domainOf } from './address.ts';

export function organisationalDomain(domain: string): string {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const ccSecondLevel = labels.length >= 3 && /^[a-z]{2}$/.test(labels.at(-1)!) && /^(co|com|org|net|ac|gov|edu|ne|or)$/.test(labels.at(-2)!);
  return labels.slice(ccSecondLevel ? -3 : -2).join('.');
}

export function aligned(a: string, b: string): boolean {
  return organisationalDomain(a) === organisationalDomain(b);
}

export type AlignmentConfig = Pick<Config, 'MAIL_FROM' | 'DKIM_DOMAIN' | 'BOUNCE_ADDRESS'>;

/** What does not align with the From domain, in words; empty when all is well. */
export function alignmentProblems(config: AlignmentConfig): { dkim?: string; bounce?: string } {
  const from = domainOf(config.MAIL_FROM);
  const out: { dkim?: string; bounce?: string } = {};
  if (config.DKIM_DOMAIN && !aligned(config.DKIM_DOMAIN, from)) {
    out.dkim = `DKIM_DOMAIN ${config.DKIM_DOMAIN} does not align with the From domain ${from}: DMARC will not count the signature`;
  }
  if (config.BOUNCE_ADDRESS && !aligned(domainOf(config.BOUNCE_ADDRESS), from)) {
    out.bounce = `BOUNCE_ADDRESS domain ${domainOf(config.BOUNCE_ADDRESS)} does not align with the From domain ${from}: DMARC will not count SPF`;
  }
  return out;
}
