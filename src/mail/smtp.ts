/**
 * SMTP through one pooled nodemailer transport: connections are reused across
 * messages (and across concurrent sends, up to `maxConnections`), which is what
 * makes sending thousands of digests cheap. smtp:// may upgrade with STARTTLS;
 * smtps:// is TLS from the first byte.
 */
import { createTransport } from 'nodemailer';
import type { Mailer, OutgoingMail, SentMail } from './mailer.ts';
import { toMessageOptions, type Sender } from './message.ts';

export interface SmtpOptions extends Sender {
  url: string;
  maxConnections?: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

/** The SMTP reply attached to failures, so callers can tell 4xx (retry) from 5xx (give up). */
export interface SmtpFailure extends Error {
  responseCode?: number;
  response?: string;
}

export function createSmtpMailer(opts: SmtpOptions): Mailer {
  const transport = createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    ...(opts.dkim ? { dkim: opts.dkim } : {}),
  });
  return {
    kind: 'smtp',
    async send(mail: OutgoingMail): Promise<SentMail> {
      const info = await transport.sendMail(toMessageOptions(opts, mail));
      return { messageId: info.messageId, response: info.response };
    },
    async close() {
      transport.close();
    },
  };
}
