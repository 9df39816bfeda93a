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
import mjml2html from 'mjml';
import { escapeHtml } from '../digest/escape.ts';
import { loadTemplate } from '../digest/template.ts';
import type { Logger } from '../log.ts';
import type { Mailer, OutgoingMail } from '../mail/mailer.ts';
import { subscriberLink, type LinkSigner } from './links.ts';

const SLOT = '%%CONFIRM_URL%%';

export const CONFIRM_SUBJECT = 'Confirm your paperboy subscription';

/** The compiled HTML cut at each link slot, so an email is one join. */
let compiled: Promise<string[]> | undefined;

function compileTemplate(): Promise<string[]> {
  // loadTemplate drops the template's comments, which are for people editing it.
  compiled ??= Promise.resolve().then(async () => {
    // fonts: {}: no web-font imports (Google Fonts for Roboto); emails load nothing remote to render text.
    const out = await mjml2html(loadTemplate('confirm.mjml'), { validationLevel: 'strict', fonts: {} });
    return out.html.split(SLOT);
  });
  return compiled;
}

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
  return { to, subject: CONFIRM_SUBJECT, html, text, campaign: 'confirm' };
}

/** Any pino-like logger: the app's, or a request's child. */
export type LineLogger = Pick<Logger, 'info' | 'error'>;

export interface ConfirmationQueue {
  /** `log`: the request's logger, so the outcome line carries its request id. */
  enqueue(target: { subscriberId: string; email: string; log?: LineLogger }): void;
  /** Resolves when every confirmation enqueued so far has been sent or has failed. */
  drain(): Promise<void>;
}

export function createConfirmationSender(opts: LinkSigner & { mailer: Mailer; log: Logger; now?: () => Date }): ConfirmationQueue {
  const inFlight = new Set<Promise<void>>();
  // Compile at start-up rather than on the first subscriber's request.
  compileTemplate().catch((err) => opts.log.error({ err }, 'confirm.mjml does not compile'));
  return {
    enqueue({ subscriberId, email, log = opts.log }) {
      const link = subscriberLink(opts, 'confirm', subscriberId, opts.now?.() ?? new Date());
      const job = renderConfirmationMail(email, link)
        .then((mail) => opts.mailer.send(mail))
        .then(
          () => log.info({ subscriberId }, 'confirmation sent'),
          (err) => log.error({ err, subscriberId }, 'confirmation not sent'),
        )
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
    async drain() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
