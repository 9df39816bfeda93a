/**
 * Everything served as HTML, in one encapsulated plugin so its errors render
 * as pages (the JSON API keeps `{ error, message }`), and multipart bodies
 * (one of RFC 8058's two encodings) are accepted here only.
 */
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import { AppError } from '../errors.ts';
import { favicon, stylesheet, timezoneScript } from './pages/assets.ts';
import { errorPage } from './pages/error-page.ts';
import { registerHomeRoutes } from './home-routes.ts';
import { registerLinkPageRoutes } from './link-page-routes.ts';
import { registerFeedbackRoutes } from './feedback-routes.ts';

export async function pagesPlugin(app: FastifyInstance, opts: { limiter: onRequestHookHandler }): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fields: 60, fieldSize: 4096, files: 0, parts: 60 },
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = err instanceof AppError;
    const status = known ? err.statusCode : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'page failed');
    const message = status >= 500 ? 'please try again in a moment' : err.message;
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(status, message));
  });

  const asset = (body: string, type: string) => (_req: unknown, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'public, max-age=3600').send(body);
  app.get('/assets/style.css', asset(stylesheet, 'text/css; charset=utf-8'));
  app.get('/assets/timezone.js', asset(timezoneScript, 'text/javascript; charset=utf-8'));
  // Browsers ask for /favicon.ico whatever the page links; both get the same SVG.
  app.get('/assets/favicon.svg', asset(favicon, 'image/svg+xml'));
  app.get('/favicon.ico', asset(favicon, 'image/svg+xml'));

  registerHomeRoutes(app, opts.limiter);
  registerLinkPageRoutes(app);
  registerFeedbackRoutes(app);
}
