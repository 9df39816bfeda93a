/**
 * The double opt-in email. templates/confirm.mjml is compiled once per process
 * (MJML costs milliseconds per call); each email only substitutes the link,
 * HTML-escaped. The email holds nothing the requester typed, so the form cannot
 * be used to send a stranger words of someone else's choosing.
 *
 * Sending happens off the request path: `enqueue` returns at once, so a
 * subscribe answers in the same time whether or not mail goes out, and a slow
 * SMTP server never holds a request. `drain` waits for what is in flight
 * (graceful shutdown, tests).
 */
import { readFile } from 'node:fs/promises';
import mjml2html from 'mjml';
import type { Logger } from '../log.ts';
import type { Mailer, OutgoingMail } from '../mail/mailer.ts';
import { subscriberLink, type LinkSigner } from './links.ts';

const TEMPLATE = new URL('../../templates/confirm.mjml', import.meta.url);
const SLOT = '%%CONFIRM_URL%%';

export const CONFIRM_SUBJECT = 'Confirm your paperboy subscription';

/** The compiled HTML cut at each link slot, so an email is one join. */
let compiled: Promise<string[]> | undefined;

function compileTemplate(): Promise<string[]> {
  compiled ??= readFile(TEMPLATE, 'utf8').then(async (source) => {
    const out = await mjml2html(source, { validationLevel: 'strict' });
    return out.html.split(SLOT);
  });
  return compiled;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export async function renderConfirmationMail(to: string, confirmUrl: string): Promise<OutgoingMail> {
  const html = (await compileTemplate()).join(escapeHtml(confirmUrl));
  const text = [
    'paperboy',
    '',
    "Please confirm that you want the day's trending AI research papers sent to this address:",
    '',
    confirmUrl,
    '',
    'The link works for 48 hours. If you did not ask for this, ignore this email and nothing will be sent.',
    '',
  ].join('\n');
  return { to, subject: CONFIRM_SUBJECT, html, text };
}

export interface ConfirmationQueue {
  enqueue(target: { subscriberId: string; email: string }): void;
  /** Resolves when every confirmation enqueued so far has been sent or has failed. */
  drain(): Promise<void>;
}

export function createConfirmationSender(opts: LinkSigner & { mailer: Mailer; log: Logger; now?: () => Date }): ConfirmationQueue {
  const inFlight = new Set<Promise<void>>();
  // Compile at start-up rather than on the first subscriber's request.
  compileTemplate().catch((err) => opts.log.error({ err }, 'confirm.mjml does not compile'));
  return {
    enqueue({ subscriberId, email }) {
      const link = subscriberLink(opts, 'confirm', subscriberId, opts.now?.() ?? new Date());
      const job = renderConfirmationMail(email, link)
        .then((mail) => opts.mailer.send(mail))
        .then(
          () => opts.log.info({ subscriberId }, 'confirmation sent'),
          (err) => opts.log.error({ err, subscriberId }, 'confirmation not sent'),
        )
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
    async drain() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
