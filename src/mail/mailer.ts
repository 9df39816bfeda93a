/**
 * The narrow interface everything that sends mail depends on. Implementations:
 * SMTP (nodemailer pool) when SMTP_URL is set, an outbox folder otherwise.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Feedback-ID's campaign field (e.g. `confirm`); `mail` when unset. */
  campaign?: string;
  /** Full Message-ID including angle brackets; derived from the delivery id for digests. */
  messageId?: string;
}

/**
 * A message already composed as MIME (digests are built once per content and
 * personalised per recipient, see mime-template.ts). It is sent as is.
 */
export interface RawMail {
  to: string;
  messageId: string;
  raw: Buffer;
  /** The HTML part, for transports that keep a browser-friendly copy (outbox). */
  html?: () => string;
}

export interface SentMail {
  messageId: string;
  /** Where it went: SMTP server response or the outbox file. */
  response: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<SentMail>;
  sendRaw(mail: RawMail): Promise<SentMail>;
  close(): Promise<void>;
}
