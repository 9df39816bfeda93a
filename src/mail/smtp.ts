/**
 * SMTP through one pooled nodemailer transport: connections are reused across
 * messages (and across concurrent sends, up to `maxConnections`), which is what
 * makes sending thousands of digests cheap. smtp:// may upgrade with STARTTLS;
 * smtps:// is TLS from the first byte. Every message goes out raw, built by
 * paperboy (message.ts, mime-template.ts) and DKIM-signed here (dkim.ts);
 * nodemailer only carries it, with the bounce address as envelope sender,
 * through a faster dot-stuffing path for its DATA encoder (dot-stuffing.ts).
 */
import { createTransport } from 'nodemailer';
import { createDkimSigner, type DkimOptions } from './dkim.ts';
import { installFastDotStuffing } from './dot-stuffing.ts';
import { envelopeFrom } from './envelope.ts';
import { headerPolicy } from './headers.ts';
import type { Mailer, OutgoingMail, RawMail, SentMail } from './mailer.ts';
import { composeMail, type Sender } from './message.ts';

export interface SmtpOptions extends Sender {
  url: string;
  maxConnections?: number;
  dkim?: DkimOptions;
}

/** The SMTP reply attached to failures, so callers can tell 4xx (retry) from 5xx (give up). */
export interface SmtpFailure extends Error {
  responseCode?: number;
  response?: string;
}

export function createSmtpMailer(opts: SmtpOptions): Mailer {
  installFastDotStuffing();
  const transport = createTransport({ url: opts.url, pool: true, maxConnections: opts.maxConnections ?? 5 });
  const sign = opts.dkim ? createDkimSigner(opts.dkim) : undefined;
  const policy = headerPolicy(opts);
  const sendRaw = async (mail: RawMail): Promise<SentMail> => {
    const raw = sign ? sign(mail.raw) : mail.raw;
    // The raw message carries its Message-ID; naming it spares nodemailer making (and discarding) a random one per email.
    const info = await transport.sendMail({ envelope: { from: envelopeFrom(opts, mail.messageId), to: mail.to }, raw, messageId: mail.messageId });
    return { messageId: mail.messageId, response: info.response };
  };
  return {
    kind: 'smtp',
    send: (mail: OutgoingMail) => sendRaw(composeMail(policy, mail)),
    sendRaw,
    async close() {
      transport.close();
    },
  };
}
