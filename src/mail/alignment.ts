/**
 * DMARC alignment (RFC 7489 §3.1, relaxed mode): a DKIM signature or an SPF
 * pass counts for DMARC only when its domain (d=, or the envelope sender's
 * domain) shares the From domain's organisational domain. Without the public
 * suffix list we accept the same domain or one a subdomain of the other,
 * which covers the usual setups (d=example.org for From @news.example.org).
 */
import type { Config } from '../config.ts';
import { domainOf } from './address.ts';

export function aligned(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase().replace(/\.$/, ''), b.toLowerCase().replace(/\.$/, '')];
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
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
