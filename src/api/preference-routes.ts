/** JSON API: read and change preferences, export and erase, all with a preferences token. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyTransition, findSubscriber, subscriberIdFromToken, transitions, updatePreferences, type Subscriber } from '../subscribers/lifecycle.ts';
import { eraseSubscriber, exportSubscriber } from '../subscribers/privacy.ts';
import { errorBody, exportBody, preferencesBody, preferencesPut, tokenQuery } from './schemas.ts';
import { requestToken } from './token.ts';

const tags = ['preferences'];
const auth = 'The preferences token comes as `Authorization: Bearer …` or `?token=`.';

const view = (s: Subscriber) => ({
  email: s.email,
  status: s.status,
  topics: s.topics as never,
  keywords: s.keywords,
  frequency: s.frequency,
  timezone: s.timezone,
  sendHour: s.sendHour,
});

export const preferenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const idFor = (req: FastifyRequest) =>
    subscriberIdFromToken(app.subscribers, 'preferences', requestToken(req, (req.query as { token?: string }).token));
  const errors = { 400: errorBody, 401: errorBody, 410: errorBody };

  app.get(
    '/api/preferences',
    { schema: { tags, summary: 'Current preferences', description: auth, querystring: tokenQuery, response: { 200: preferencesBody, ...errors } } },
    async (req) => view(await findSubscriber(app.subscribers, idFor(req))),
  );

  app.put(
    '/api/preferences',
    {
      schema: {
        tags,
        summary: 'Change preferences (only the fields given); `paused` pauses or resumes',
        description: auth,
        querystring: tokenQuery,
        body: preferencesPut,
        response: { 200: preferencesBody, ...errors },
      },
    },
    async (req) => {
      const id = idFor(req);
      const { paused, ...patch } = req.body;
      let subscriber = await updatePreferences(app.subscribers, id, patch, 'api');
      if (paused !== undefined) {
        await applyTransition(app.subscribers, id, paused ? transitions.pause : transitions.resume, 'api');
        subscriber = await findSubscriber(app.subscribers, id);
      }
      return view(subscriber);
    },
  );

  app.get(
    '/api/preferences/export',
    {
      schema: {
        tags,
        summary: 'Everything stored about the subscriber, as JSON',
        description: auth,
        querystring: tokenQuery,
        response: { 200: exportBody, ...errors },
      },
    },
    async (req, reply) => {
      const data = await exportSubscriber(app.subscribers, idFor(req));
      reply.header('content-disposition', 'attachment; filename="paperboy-export.json"');
      return JSON.parse(JSON.stringify(data)) as never;
    },
  );

  app.delete(
    '/api/subscriber',
    {
      schema: {
        tags,
        summary: 'Erase the subscriber with their deliveries and audit trail',
        description: auth,
        querystring: tokenQuery,
        response: { 200: errorBody.pick({ message: true }).extend({ status: z.literal('erased') }), ...errors },
      },
    },
    async (req) => {
      const id = idFor(req);
      await eraseSubscriber(app.subscribers, id);
      req.log.info({ subscriberId: id }, 'subscriber erased');
      return { status: 'erased' as const, message: 'everything stored about this address was deleted' };
    },
  );
};
