/** JSON API: subscribe, confirm, unsubscribe. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { subscribe } from '../subscribers/subscribe.ts';
import { cachedHelmet } from './cached-helmet.ts';
import { applyTransition, subscriberIdFromToken, transitions } from '../subscribers/lifecycle.ts';
import { staleConfirmLink } from '../subscribers/errors.ts';
import { withDefaults } from '../subscribers/preferences.ts';
import type { onRequestHookHandler } from 'fastify';
import { ACCEPTED_JSON, acceptedBody, errorBody, statusBody, subscribeBody, tokenBody } from './schemas.ts';
import { requestToken } from './token.ts';

const tags = ['subscriptions'];

export const subscriptionRoutes: FastifyPluginAsyncZod<{ limiter: onRequestHookHandler }> = async (app, opts) => {
  app.post(
    '/api/subscriptions',
    {
      schema: {
        tags,
        summary: 'Subscribe an address (double opt-in)',
        description:
          'Answers 202 with the same body whether the address is new, pending, already subscribed, unsubscribed or suppressed. ' +
          'A confirmation email goes out when the address may be (re)subscribed, at most once per 10 minutes and 5 times a day.',
        body: subscribeBody,
        response: { 202: acceptedBody, 400: errorBody, 429: errorBody },
      },
      // Same security headers, set from a cache instead of helmet's per-request build.
      helmet: false,
      onRequest: [cachedHelmet(), opts.limiter],
    },
    async (req, reply) => {
      const { email, ...prefs } = req.body;
      await subscribe(app.subscribers, { email, preferences: withDefaults(prefs) }, 'api', req.log);
      // A pre-serialised string is sent as is (the 202 schema above documents it).
      return reply.code(202).type('application/json; charset=utf-8').send(ACCEPTED_JSON as never);
    },
  );

  app.post(
    '/api/subscriptions/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm a subscription with the token from the confirmation email',
        body: tokenBody,
        response: { 200: statusBody, 401: errorBody, 410: errorBody },
      },
    },
    async (req) => {
      const id = subscriberIdFromToken(app.subscribers, 'confirm', req.body.token);
      const result = await applyTransition(app.subscribers, id, transitions.confirm, 'api');
      if (result.status !== 'active' && result.status !== 'paused') throw staleConfirmLink();
      return { status: result.status };
    },
  );

  app.post(
    '/api/unsubscribe',
    {
      schema: {
        tags,
        summary: 'Unsubscribe (idempotent) with an unsubscribe token',
        description: 'The token comes as `Authorization: Bearer …` or in the body.',
        body: tokenBody.partial().nullish(),
        response: { 200: statusBody, 401: errorBody, 410: errorBody },
      },
    },
    async (req) => {
      const id = subscriberIdFromToken(app.subscribers, 'unsubscribe', requestToken(req, req.body?.token));
      const result = await applyTransition(app.subscribers, id, transitions.unsubscribe, 'api');
      return { status: result.status };
    },
  );
};
