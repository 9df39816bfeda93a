/** Picks the transport from the configuration: SMTP when SMTP_URL is set, else the outbox folder. */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Mailer } from './mailer.ts';
import { createOutboxMailer } from './outbox.ts';
import { createSmtpMailer } from './smtp.ts';

type MailConfig = Pick<
  Config,
  'SMTP_URL' | 'DATA_DIR' | 'MAIL_FROM' | 'REPLY_TO' | 'SEND_CONCURRENCY' | 'SMTP_MAX_CONNECTIONS' | 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY'
>;

export const outboxDir = (config: Pick<Config, 'DATA_DIR'>) => path.resolve(config.DATA_DIR, 'outbox');

export function createMailer(config: MailConfig): Mailer {
  const sender = { from: config.MAIL_FROM, replyTo: config.REPLY_TO };
  if (!config.SMTP_URL) return createOutboxMailer({ ...sender, dir: outboxDir(config) });
  const dkim =
    config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY
      ? {
          domainName: config.DKIM_DOMAIN,
          keySelector: config.DKIM_SELECTOR,
          // .env files carry the PEM on one line with literal \n.
          privateKey: config.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n'),
        }
      : undefined;
  // One message per connection at a time (SMTP has no multiplexing), so
  // SEND_CONCURRENCY messages in flight need as many connections.
  return createSmtpMailer({ ...sender, url: config.SMTP_URL, maxConnections: Math.min(config.SEND_CONCURRENCY, config.SMTP_MAX_CONNECTIONS), dkim });
}
