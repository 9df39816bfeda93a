/**
 * GET /admin and the forms on it. Each form POSTs, is checked by
 * authorizeAdmin (session + CSRF), then redirects back to the page with a
 * note of what happened (post/redirect/get, so a reload repeats nothing).
 * Errors here render as pages; the JSON API keeps `{ error, message }`.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AdminError } from '../admin/errors.ts';
import { resendDelivery } from '../admin/dispatch.ts';
import { adminStats } from '../admin/stats.ts';
import { actOnSubscriber, eraseSubscriberById, findSubscriberByEmail } from '../admin/subscribers.ts';
import { previewPapers } from '../papers/preview.ts';
import type { AdminContext } from './admin.ts';
import { authorizeAdmin, csrfFor } from './admin-auth.ts';
import { AppError } from '../errors.ts';
import { html } from './pages/html.ts';
import { adminPage } from './pages/admin-page.ts';
import { messagePage } from './pages/layout.ts';

const TITLES: Record<number, string> = { 401: 'Not logged in', 403: 'Not allowed', 404: 'Not found', 409: 'Not possible' };

export async function adminPageRoutes(app: FastifyInstance, { admin }: { admin: AdminContext }): Promise<void> {
  const { db, config } = app.deps;
  app.addHook('preHandler', authorizeAdmin);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = err instanceof AppError;
    const status = known ? err.statusCode : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'admin page failed');
    const message = status >= 500 ? 'Something went wrong; the log has the details.' : err.message;
    const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
    return reply.code(status).type('text/html; charset=utf-8').send(messagePage(title, html`<p>${message}</p><p><a href="/admin">Back to administration</a></p>`));
  });

  app.get('/admin', async (req, reply) => {
    const q = req.query as { email?: unknown; done?: unknown };
    const email = typeof q.email === 'string' && q.email.trim() ? q.email.trim().slice(0, 320) : undefined;
    const now = app.deps.now();
    const [stats, preview, found] = await Promise.all([
      adminStats(db, now),
      previewPapers(db, { now, gravity: config.TRENDING_GRAVITY, days: 3, limit: config.DIGEST_SIZE }),
      email ? findSubscriberByEmail(db, email) : Promise.resolve(null),
    ]);
    // Bearer-authenticated requests have no session; their forms would be refused, which is right.
    const csrf = req.adminSession ? csrfFor(req, req.adminSession) : '';
    const page = adminPage({
      stats,
      papers: preview.papers,
      papersFrom: preview.latestFrom,
      csrf,
      search: email ? { email, found } : undefined,
      done: typeof q.done === 'string' ? q.done.slice(0, 200) : undefined,
      canLogOut: Boolean(config.ADMIN_TOKEN && req.adminSession),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });

  const back = (done: string, email?: string) =>
    `/admin?${new URLSearchParams({ done, ...(email ? { email } : {}) }).toString()}`;

  app.post<{ Params: { id: string; action: string } }>('/admin/subscribers/:id/:action', async (req, reply) => {
    const { id, action } = req.params;
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AdminError(404, 'not_found', 'no subscriber with this id');
    if (action === 'erase') {
      // The button sits behind a disclosure that says what is lost; a post without its field was not that button.
      if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'erase') {
        throw new AdminError(400, 'bad_request', 'erasing needs the confirmation button under "Erase all data…"; nothing was deleted');
      }
      await eraseSubscriberById(db, id);
      req.log.info({ subscriberId: id, action: 'erased', via: 'admin' }, 'subscriber erased by admin');
      return reply.redirect(back('Subscriber erased, with their deliveries and history.'), 303);
    }
    if (action !== 'suppress' && action !== 'reactivate') throw new AdminError(404, 'not_found', `no action ${action}`);
    const s = await actOnSubscriber(db, id, action, 'admin', app.deps.now());
    req.log.info({ subscriberId: id, action, via: 'admin' }, 'subscriber changed by admin');
    return reply.redirect(back(`${s.email} is now ${s.status}.`, s.email), 303);
  });

  app.post<{ Params: { id: string } }>('/admin/deliveries/:id/resend', async (req, reply) => {
    const r = await resendDelivery(admin.jobs, admin.dispatcher, req.params.id);
    return reply.redirect(back(`Delivery ${r.deliveryId} is queued again (${r.dispatch}).`), 303);
  });
}
