/**
 * Wires issue 3 into the app: the subscriber context every route uses, rate
 * limiting, OpenAPI, readiness, the JSON API and the pages. app.ts calls
 * `registerSubscriptions` once.
 */
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { createConfirmationSender, type ConfirmationQueue } from '../subscribers/confirm-mail.ts';
import type { SubscriberDeps } from '../subscribers/deps.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import type { TokenSecrets } from '../subscribers/tokens.ts';
import { registerDocs } from './docs.ts';
import { healthRoutes } from './health-routes.ts';
import { pagesPlugin } from './pages-plugin.ts';
import { preferenceRoutes } from './preference-routes.ts';
import { defaultSubscribeLimit, registerRateLimit, type SubscribeLimit } from './rate-limit.ts';
import { subscriptionRoutes } from './subscription-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    subscribers: SubscriberDeps;
  }
}

export interface SubscriptionOptions {
  /** Default: SECRET / SECRET_PREVIOUS, or the generated one under DATA_DIR. */
  secrets?: TokenSecrets;
  /** Default: sends through deps.mailer off the request path. */
  confirmations?: ConfirmationQueue;
  subscribeLimit?: SubscribeLimit;
}

/** Any logger and type provider: app.ts has pino's and zod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, any, any>;

export async function registerSubscriptions(app: AppInstance, opts: SubscriptionOptions & { mailer: Mailer; log: Logger }) {
  const { config, db, redis, now } = app.deps;
  const secrets = opts.secrets ?? loadSecrets(config);
  const confirmations =
    opts.confirmations ?? createConfirmationSender({ secrets, publicUrl: config.publicUrl, mailer: opts.mailer, log: opts.log, now });
  app.decorate('subscribers', { db, secrets, now, confirmations });
  // Close waits for confirmation mails already accepted, so a deploy loses none.
  app.addHook('onClose', () => confirmations.drain());

  const limit = opts.subscribeLimit ?? defaultSubscribeLimit;
  const limiter = await registerRateLimit(app, redis, limit);
  await registerDocs(app);
  await app.register(healthRoutes);
  await app.register(subscriptionRoutes, { limiter });
  await app.register(preferenceRoutes);
  await app.register(pagesPlugin, { limiter });
}
