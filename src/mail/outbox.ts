/**
 * The embedded default's mail transport: every message is written to
 * DATA_DIR/outbox as `<time>-<recipient>.eml` (the full MIME message, exactly
 * as SMTP would carry it; double-click to open in a mail client) and `.html`
 * (open in a browser).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { headerPolicy } from './headers.ts';
import type { Mailer, OutgoingMail, RawMail, SentMail } from './mailer.ts';
import { composeMail, type Sender } from './message.ts';

export interface OutboxOptions extends Sender {
  dir: string;
}

export function createOutboxMailer(opts: OutboxOptions): Mailer {
  const policy = headerPolicy(opts);
  let ready: Promise<unknown> | undefined;
  const sendRaw = async (mail: RawMail): Promise<SentMail> => {
    ready ??= mkdir(opts.dir, { recursive: true });
    await ready;
    const base = path.join(opts.dir, fileStem(mail.to));
    await Promise.all([writeWhole(`${base}.eml`, mail.raw), ...(mail.html ? [writeWhole(`${base}.html`, mail.html())] : [])]);
    return { messageId: mail.messageId, response: `${base}.eml` };
  };
  return {
    kind: 'outbox',
    send: (mail: OutgoingMail) => sendRaw(composeMail(policy, mail)),
    sendRaw,
    async close() {},
  };
}

/**
 * Writes under a temporary name and renames, so whoever watches the folder (a
 * person, a mail client, a test) never opens a message half written.
 */
async function writeWhole(file: string, data: string | Buffer): Promise<void> {
  await writeFile(`${file}.part`, data);
  await rename(`${file}.part`, file);
}

/** Sortable by time, readable by recipient, unique without coordination. */
function fileStem(to: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const who = to.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_').slice(0, 80);
  return `${stamp}-${who}-${randomBytes(3).toString('hex')}`;
}
