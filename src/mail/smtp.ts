/**
 * SMTP through one pooled nodemailer transport: connections are reused across
 * messages (and across concurrent sends, up to `maxConnections`), which is what
 * makes sending thousands of digests cheap. smtp:// may upgrade with STARTTLS;
 * smtps:// is TLS from the first byte.
 */
import { createTransport } from 'nodemailer';
import type { Mailer, OutgoingMail, RawMail, SentMail } from './mailer.ts';
import { envelopeSender, toMessageOptions, type Sender } from './message.ts';

// nodemailer's default list of signed headers leaves out List-Unsubscribe-Post;
// RFC 8058 asks for both List-Unsubscribe headers to be covered by DKIM.
const DKIM_SIGNED_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'Content-ID:Content-Description:In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:' +
  'List-Subscribe:List-Post:List-Owner:List-Archive';

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
    ...(opts.dkim ? { dkim: { ...opts.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
  });
  return {
    kind: 'smtp',
    async send(mail: OutgoingMail): Promise<SentMail> {
      const info = await transport.sendMail(toMessageOptions(opts, mail));
      return { messageId: info.messageId, response: info.response };
    },
    async sendRaw(mail: RawMail): Promise<SentMail> {
      const info = await transport.sendMail({ envelope: { from: envelopeSender(opts.from), to: mail.to }, raw: mail.raw });
      return { messageId: mail.messageId, response: info.response };
    },
    async close() {
      transport.close();
    },
  };
}
