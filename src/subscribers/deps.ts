import type { Db } from '../db/client.ts';
import type { TokenSecrets } from './tokens.ts';
import type { ConfirmationQueue } from './confirm-mail.ts';

/** What every subscriber operation needs; the API, CLI and jobs each build one. */
export interface SubscriberDeps {
  db: Db;
  secrets: TokenSecrets;
  now: () => Date;
  /** Confirmation mails leave through this, off the request path. */
  confirmations: ConfirmationQueue;
}
