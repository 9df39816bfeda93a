/**
 * /api/admin: the JSON face of src/admin, for scripts and the CLI's twin.
 * Every route sits behind authorizeAdmin (Bearer ADMIN_TOKEN, or the admin
 * session plus its CSRF token).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportSubscribersCsv } from '../admin/csv-export.ts';
import { importSubscribers } from '../admin/csv-import.ts';
import { resendDelivery, rerunPeriod } from '../admin/dispatch.ts';
import { adminStats } from '../admin/stats.ts';
import { actOnSubscriber, eraseSubscriberById, findSubscriberByEmail } from '../admin/subscribers.ts';
import type { AdminContext } from './admin.ts';
import { authorizeAdmin } from './admin-auth.ts';
import { utf8Text } from './body-parsers.ts';
import { notFound } from './errors.ts';

const idParams = z.object({ id: z.uuid() });
/** 50,000 subscribers are about 3 MB of CSV; the app's default limit is for forms. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export const adminApiRoutes: FastifyPluginAsyncZod<{ admin: AdminContext }> = async (app, { admin }) => {
  const { db } = app.deps;
  app.addHook('preHandler', authorizeAdmin);
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => {
    try {
      done(null, utf8Text(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const tags = ['admin'];

  app.get('/api/admin/stats', { schema: { tags, summary: 'Subscribers, last 14 days, today, recent failures' } }, async () =>
    adminStats(db, app.deps.now()),
  );

  app.get(
    '/api/admin/subscribers',
    { schema: { tags, summary: 'Find a subscriber by address', querystring: z.object({ email: z.string().min(3).max(320) }) } },
    async (req) => {
      const found = await findSubscriberByEmail(db, req.query.email);
      if (!found) throw notFound('no subscriber with this address');
      return found;
    },
  );

  for (const action of ['suppress', 'reactivate'] as const) {
    app.post(`/api/admin/subscribers/:id/${action}`, { schema: { tags, summary: `${action} a subscriber`, params: idParams } }, async (req) => {
      const s = await actOnSubscriber(db, req.params.id, action, 'admin', app.deps.now());
      req.log.info({ subscriberId: s.id, action, via: 'admin' }, 'subscriber changed by admin');
      return s;
    });
  }

  app.delete('/api/admin/subscribers/:id', { schema: { tags, summary: 'Erase a subscriber and everything about them', params: idParams } }, async (req, reply) => {
    await eraseSubscriberById(db, req.params.id);
    req.log.info({ subscriberId: req.params.id, action: 'erased', via: 'admin' }, 'subscriber erased by admin');
    return reply.code(204).send();
  });

  app.get('/api/admin/subscribers.csv', { schema: { tags, summary: 'Export every subscriber as CSV' } }, async (_req, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="subscribers.csv"')
      .send(Readable.from(exportSubscribersCsv(db))),
  );

  app.post(
    '/api/admin/subscribers/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Import subscribers from CSV (text/csv body)',
        querystring: z.object({ confirmed: z.enum(['true', 'false']).default('false') }),
      },
    },
    async (req) => {
      const body = typeof req.body === 'string' ? req.body : '';
      const result = await importSubscribers(app.subscribers, body, { confirmed: req.query.confirmed === 'true' });
      req.log.info({ imported: result.imported, unchanged: result.unchanged, invalid: result.invalid }, 'subscribers imported');
      return result;
    },
  );

  app.post(
    '/api/admin/deliveries/:id/resend',
    { schema: { tags, summary: 'Send a failed delivery again', params: z.object({ id: z.string().max(100) }) } },
    async (req, reply) => reply.code(202).send(await resendDelivery(admin.jobs, admin.dispatcher, req.params.id)),
  );

  app.post(
    '/api/admin/periods/:period/rerun',
    { schema: { tags, summary: 'Re-run a period for every active subscriber it missed', params: z.object({ period: z.string().max(20) }) } },
    async (req, reply) => reply.code(202).send(await rerunPeriod(admin.jobs, admin.dispatcher, req.params.period)),
  );
};
