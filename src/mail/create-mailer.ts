/** Picks the transport from the configuration: SMTP when SMTP_URL is set, else the outbox folder. */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { alignmentProblems } from './alignment.ts';
import type { Mailer } from './mailer.ts';
import { senderOf, type SenderConfig } from './message.ts';
import { createOutboxMailer } from './outbox.ts';
import { createSmtpMailer } from './smtp.ts';

type MailConfig = SenderConfig &
  Pick<Config, 'SMTP_URL' | 'DATA_DIR' | 'SEND_CONCURRENCY' | 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY'>;

export const outboxDir = (config: Pick<Config, 'DATA_DIR'>) => path.resolve(config.DATA_DIR, 'outbox');

/** `log`: where a start-up warning goes (a DKIM domain that does not align with From). */
export function createMailer(config: MailConfig, log?: Pick<Logger, 'warn'>): Mailer {
  const sender = senderOf(config);
  if (!config.SMTP_URL) return createOutboxMailer({ ...sender, dir: outboxDir(config) });
  const dkim =
    config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY
      ? { domainName: config.DKIM_DOMAIN, keySelector: config.DKIM_SELECTOR, privateKey: config.DKIM_PRIVATE_KEY }
      : undefined;
  const misaligned = alignmentProblems(config).dkim;
  if (misaligned) log?.warn({ dkimDomain: config.DKIM_DOMAIN, from: config.MAIL_FROM }, misaligned);
  return createSmtpMailer({ ...sender, url: config.SMTP_URL, maxConnections: Math.min(config.SEND_CONCURRENCY, 20), dkim });
}
