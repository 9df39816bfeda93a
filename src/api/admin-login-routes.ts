/**
 * GET/POST /admin/login and POST /admin/logout (which ends the session for
 * every copy of its cookie). The login form trades
 * ADMIN_TOKEN for a session cookie (HttpOnly, SameSite=Strict, Secure on an
 * https PUBLIC_URL); wrong tokens count towards the client's throttle
 * (admin-throttle.ts), shared with wrong Bearer tokens.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { revokeSession } from '../admin/session.ts';
import { sameSecret } from '../secret-compare.ts';
import { adminOpen, authorizeAdmin, sessionCookie, startSession } from './admin-auth.ts';
import { notFound } from './errors.ts';
import { loginPage } from './pages/admin-page.ts';

const loginForm = z.object({ token: z.string().max(1000) });

export async function adminLoginRoutes(app: FastifyInstance): Promise<void> {
  const html = 'text/html; charset=utf-8';

  app.get('/admin/login', async (req, reply) => {
    const mode = adminOpen(req);
    if (!mode) throw notFound(`no route for GET /admin/login`);
    if (mode === 'loopback') return reply.redirect('/admin', 303);
    return reply.type(html).send(loginPage());
  });

  app.post('/admin/login', async (req, reply) => {
    const mode = adminOpen(req);
    if (!mode) throw notFound(`no route for POST /admin/login`);
    if (mode === 'loopback') return reply.redirect('/admin', 303);
    await app.adminThrottle.check(req, reply);
    const parsed = loginForm.safeParse(req.body ?? {});
    const expected = app.deps.config.ADMIN_TOKEN!;
    if (!parsed.success || !sameSecret(parsed.data.token, expected)) {
      await app.adminThrottle.failed(req, 'login form');
      return reply.code(401).type(html).send(loginPage('That is not the admin token.'));
    }
    startSession(req, reply);
    req.log.info('admin logged in');
    return reply.redirect('/admin', 303);
  });

  app.post('/admin/logout', { preHandler: authorizeAdmin }, async (req, reply) => {
    // Ended server-side too: a copy of the cookie is refused from now on.
    if (req.adminSession) await revokeSession(app.deps.db, req.adminSession, app.deps.now());
    req.log.info('admin logged out');
    return reply.header('set-cookie', sessionCookie(req, '', 0)).redirect(app.deps.config.ADMIN_TOKEN ? '/admin/login' : '/', 303);
  });
}
