/**
 * `paperboy doctor --send ADDR`: one real digest (today's papers for the
 * sample subscriber of the preview, all topics) composed and sent exactly as
 * a send run would, so the operator can look at headers, DKIM and placement
 * in a real mailbox. Its delivery id is made up: it is recorded nowhere.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createDigestComposer } from '../delivery/compose.ts';
import { localDateAt, periodOfDate } from '../digest/period.ts';
import { SAMPLE_SUBSCRIBER } from '../digest/preview.ts';
import { selectDigest } from '../digest/select.ts';
import type { Mailer, SentMail } from '../mail/mailer.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';

export async function sendTestDigest(deps: { db: Db; config: Config; secrets: TokenSecrets; mailer: Mailer }, to: string, now = new Date()): Promise<SentMail & { subject: string }> {
  const sub = { ...SAMPLE_SUBSCRIBER, topics: [], keywords: [] };
  const period = periodOfDate(sub, localDateAt(now, sub.timezone));
  const selection = await selectDigest(deps.db, { subscriber: sub, period }, deps.config);
  if (selection.kind === 'skip') throw new Error(`no test digest to send: ${selection.reason}`);
  const mail = await createDigestComposer(deps.config, deps.secrets).compose(selection, { id: randomUUID() }, to, now);
  const sent = await deps.mailer.sendRaw({ to, messageId: mail.messageId, raw: mail.raw, html: mail.html });
  return { ...sent, subject: mail.subject };
}
