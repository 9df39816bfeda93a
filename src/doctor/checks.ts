/**
 * `paperboy doctor`'s checks: what a real send needs, each answered ok, warn
 * or fail in words that say what to change. Configuration checks are pure;
 * DNS checks ask the given resolver (tests serve records from their own), and
 * the one-click check POSTs to PUBLIC_URL the way a mailbox provider would.
 */
import { Resolver } from 'node:dns/promises';
import type { Config } from '../config.ts';
import { domainOf, parseMailbox } from '../mail/address.ts';
import { alignmentProblems } from '../mail/alignment.ts';
import { parseDkimKey } from '../mail/dkim.ts';
import { recordsToPublish, type DnsRecord } from './records.ts';

export type Level = 'ok' | 'warn' | 'fail';
export interface Check {
  level: Level;
  topic: string;
  message: string;
}

const check = (level: Level, topic: string, message: string): Check => ({ level, topic, message });

export function configChecks(config: Config): Check[] {
  const out: Check[] = [];
  const from = parseMailbox(config.MAIL_FROM);
  const domain = domainOf(from.address);
  out.push(
    /(^|\.)(localhost|example\.(com|org|net)|invalid|test)$/.test(domain) || !domain.includes('.')
      ? check('fail', 'MAIL_FROM', `${from.address}: ${domain} is not a domain you can send from; set MAIL_FROM to an address on your own domain`)
      : check('ok', 'MAIL_FROM', `${from.address} (From domain ${domain})`),
  );
  out.push(config.SMTP_URL ? check('ok', 'SMTP_URL', `relay ${new URL(config.SMTP_URL).host}`) : check('fail', 'SMTP_URL', 'not set: mail goes to the outbox folder, nothing is sent'));
  out.push(
    config.publicUrl.startsWith('https://')
      ? check('ok', 'PUBLIC_URL', config.publicUrl)
      : check('fail', 'PUBLIC_URL', `${config.publicUrl} is not https: links in emails, and the one-click unsubscribe Gmail and Yahoo POST to, need https`),
  );
  out.push(
    config.MAIL_POSTAL_ADDRESS
      ? check('ok', 'MAIL_POSTAL_ADDRESS', config.MAIL_POSTAL_ADDRESS)
      : check('fail', 'MAIL_POSTAL_ADDRESS', 'not set: CAN-SPAM requires a postal address in every commercial email, and Gmail and Yahoo ask bulk senders to follow it'),
  );
  if (!config.DKIM_DOMAIN || !config.DKIM_SELECTOR || !config.DKIM_PRIVATE_KEY) {
    out.push(check('fail', 'DKIM', 'not configured: Gmail and Yahoo require DKIM of bulk senders; set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY'));
  } else {
    try {
      const bits = parseDkimKey(config.DKIM_PRIVATE_KEY).asymmetricKeyDetails?.modulusLength ?? 0;
      out.push(
        bits >= 2048
          ? check('ok', 'DKIM', `${bits}-bit RSA key, selector ${config.DKIM_SELECTOR} on ${config.DKIM_DOMAIN}`)
          : check('warn', 'DKIM', `the key has ${bits} bits; use 2048 (receivers discount shorter keys)`),
      );
    } catch (err) {
      out.push(check('fail', 'DKIM', `DKIM_PRIVATE_KEY does not parse: ${(err as Error).message}`));
    }
  }
  const misaligned = alignmentProblems(config);
  if (config.DKIM_DOMAIN) out.push(misaligned.dkim ? check('fail', 'alignment', misaligned.dkim) : check('ok', 'alignment', `DKIM d=${config.DKIM_DOMAIN} aligns with From ${domain}`));
  if (!config.BOUNCE_ADDRESS) {
    out.push(check('warn', 'BOUNCE_ADDRESS', `not set: bounce notices go to ${from.address}, where nothing reads them`));
  } else {
    out.push(misaligned.bounce ? check('warn', 'alignment', misaligned.bounce) : check('ok', 'BOUNCE_ADDRESS', `${config.BOUNCE_ADDRESS}${config.BOUNCE_VERP ? ' (VERP)' : ''}, aligned with From`));
    const esp = [config.SES_SNS_TOPIC_ARNS, config.SENDGRID_WEBHOOK_PUBLIC_KEY, config.MAILGUN_WEBHOOK_SIGNING_KEY, config.POSTMARK_WEBHOOK_TOKEN].some(Boolean);
    out.push(
      config.BOUNCE_SMTP_PORT || esp
        ? check('ok', 'bounces', `received by ${[config.BOUNCE_SMTP_PORT ? `the SMTP endpoint on port ${config.BOUNCE_SMTP_PORT}` : '', esp ? 'an ESP webhook' : ''].filter(Boolean).join(' and ')}`)
        : check('warn', 'bounces', 'BOUNCE_SMTP_PORT is 0 and no ESP webhook key is set: bounce mail reaches no one'),
    );
  }
  return out;
}

/** Looks each record up and compares; a lookup that fails is a warning (this machine may have no DNS). */
export async function dnsChecks(config: Config, resolver: Resolver): Promise<Check[]> {
  const out: Check[] = [];
  for (const r of recordsToPublish(config)) out.push(await lookup(resolver, r));
  return out;
}

async function lookup(resolver: Resolver, r: DnsRecord): Promise<Check> {
  const topic = `DNS ${r.type} ${r.name}`;
  let found: string[];
  try {
    found = r.type === 'MX' ? (await resolver.resolveMx(r.name)).map((m) => `${m.priority} ${m.exchange}`) : (await resolver.resolveTxt(r.name)).map((parts) => parts.join(''));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return check('fail', topic, `no ${r.type} record published; publish the one below`);
    return check('warn', topic, `could not look it up (${code ?? (err as Error).message})`);
  }
  if (r.type === 'MX') return found.length ? check('ok', topic, found.join(', ')) : check('fail', topic, 'no MX record');
  const kind = /^v=(\w+)/.exec(r.value)![1]!;
  const mine = found.filter((v) => v.replace(/\s/g, '').toLowerCase().startsWith(`v=${kind.toLowerCase()}`));
  if (!mine.length) return check('fail', topic, `no v=${kind} record published; publish the one below`);
  if (kind === 'DKIM1') {
    const p = (v: string) => /(?:^|;)\s*p=([^;]*)/.exec(v)?.[1]?.replace(/\s/g, '');
    return mine.some((v) => p(v) === p(r.value))
      ? check('ok', topic, 'the published key matches DKIM_PRIVATE_KEY')
      : check('fail', topic, 'the published key is not the public half of DKIM_PRIVATE_KEY: signatures will fail');
  }
  if (kind === 'spf1' && mine.length > 1) return check('fail', topic, 'more than one SPF record: receivers treat that as an error (RFC 7208 §4.5)');
  return check('ok', topic, mine[0]!);
}

/** POSTs a one-click unsubscribe with a made-up token: paperboy refuses the token (400/401), a missing route or a proxy error is wrong. */
export async function oneClickCheck(config: Config): Promise<Check> {
  const url = `${config.publicUrl}/unsubscribe?token=doctor.check`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
    return res.status === 400 || res.status === 401
      ? check('ok', 'one-click', `POST ${config.publicUrl}/unsubscribe answers (${res.status} to a made-up token, as it should)`)
      : check('fail', 'one-click', `POST ${config.publicUrl}/unsubscribe answered ${res.status}; expected paperboy refusing a made-up token with 400 or 401 (a proxy in the way?)`);
  } catch (err) {
    return check('fail', 'one-click', `POST ${config.publicUrl}/unsubscribe failed: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
}
