/**
 * Wires the administration into the app: login, the JSON API and the page,
 * sharing one job context and one dispatcher (closed with the app, after the
 * sends it started in the background).
 */
import type { FastifyInstance } from 'fastify';
import { createDispatcher, type Dispatcher } from '../admin/dispatch.ts';
import type { JobContext } from '../jobs/context.ts';
import { adminApiRoutes } from './admin-api-routes.ts';
import { adminLoginRoutes } from './admin-login-routes.ts';
import { adminPageRoutes } from './admin-page-routes.ts';

export interface AdminContext {
  jobs: JobContext;
  dispatcher: Dispatcher;
}

export async function adminPlugin(app: FastifyInstance): Promise<void> {
  const { config, db, log, mailer, now } = app.deps;
  const jobs: JobContext = { config, db, log, mailer, secrets: app.subscribers.secrets, now };
  const admin: AdminContext = { jobs, dispatcher: createDispatcher(jobs, { background: true }) };
  app.addHook('onClose', () => admin.dispatcher.close());
  await app.register(adminLoginRoutes);
  await app.register(adminApiRoutes, { admin });
  await app.register(adminPageRoutes, { admin });
}
