/**
 * Who may use /admin and /api/admin. `authorizeAdmin` is a plain Fastify
 * preHandler that any admin route (the queue dashboard too) puts in front:
 *
 * - no ADMIN_TOKEN: 404, as if the routes did not exist; except in the
 *   embedded default for a request from this machine (the socket's address,
 *   never X-Forwarded-For, and no proxy headers at all: a reverse proxy on
 *   this host would otherwise make the internet look local), where the
 *   routes are open and a session is handed out silently, provided the Host
 *   header is one this server answers to (403 otherwise: DNS rebinding);
 * - `Authorization: Bearer ADMIN_TOKEN` (constant-time): allowed, and a wrong
 *   token is 401 and counts towards the client's throttle (admin-throttle.ts:
 *   429 once it is used up);
 * - the session cookie from the login form (until it expires or its session
 *   logs out: admin/session.ts): allowed, but a POST, PUT, PATCH
 *   or DELETE must also carry the session's CSRF token (`_csrf` field or
 *   `x-csrf-token` header), else 403.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSession, csrfMatches, csrfToken, isRevoked, SESSION_COOKIE, SESSION_TTL_SECONDS, verifySession, type AdminSession } from '../admin/session.ts';
import { sameSecret } from '../secret-compare.ts';
import type { AdminThrottle } from './admin-throttle.ts';
import { forbidden, notFound, unauthorized } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    adminSession?: AdminSession;
  }
  interface FastifyInstance {
    /** Failed admin credentials per client (admin-throttle.ts). */
    adminThrottle: AdminThrottle;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host'];

export function fromLoopback(req: FastifyRequest): boolean {
  return LOOPBACK.has(req.raw.socket.remoteAddress ?? '') && PROXY_HEADERS.every((h) => req.headers[h] === undefined);
}

/**
 * The names this server answers to without a token: localhost, 127.0.0.1 and
 * [::1] with the port the request came in on, and PUBLIC_URL's host. A page
 * on another site can point its own name at 127.0.0.1 (DNS rebinding) and so
 * reach this machine from the victim's browser, but its requests still carry
 * that other name in Host.
 */
function localPort(req: FastifyRequest): number {
  // A request made with inject() has no real socket: the port the server listens on, else PORT.
  const listening = req.server.server.address();
  return req.raw.socket.localPort ?? (typeof listening === 'object' && listening ? listening.port : req.server.deps.config.PORT);
}

function knownHost(req: FastifyRequest): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  const port = localPort(req);
  const names = ['localhost', '127.0.0.1', '[::1]'].map((n) => `${n}:${port}`);
  return names.includes(host) || host === new URL(req.server.deps.config.publicUrl).host;
}

/** How admin routes are open for this request: by token, open to this machine, or not at all (404). */
export function adminOpen(req: FastifyRequest): 'token' | 'loopback' | false {
  const { config } = req.server.deps;
  if (config.ADMIN_TOKEN) return 'token';
  if (!config.embedded || !fromLoopback(req)) return false;
  if (!knownHost(req)) {
    throw forbidden(`the admin pages without ADMIN_TOKEN answer only to http://localhost:${localPort(req)} or PUBLIC_URL, not to Host ${JSON.stringify(req.headers.host ?? '')}`);
  }
  return 'loopback';
}

export function sessionCookie(req: FastifyRequest, value: string, maxAge = SESSION_TTL_SECONDS): string {
  const secure = req.server.deps.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

function readCookie(req: FastifyRequest): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

const secretOf = (req: FastifyRequest) => req.server.subscribers.secrets.current;

/** The request's valid session: signed for the current ADMIN_TOKEN, not expired, not logged out. */
export async function currentSession(req: FastifyRequest): Promise<AdminSession | null> {
  const session = verifySession(secretOf(req), req.server.deps.config.ADMIN_TOKEN, readCookie(req), req.server.deps.now());
  return session && !(await isRevoked(req.server.deps.db, session)) ? session : null;
}

/** Starts a session and sets its cookie on the reply. */
export function startSession(req: FastifyRequest, reply: FastifyReply): AdminSession {
  const { session, cookie } = createSession(secretOf(req), req.server.deps.config.ADMIN_TOKEN, req.server.deps.now());
  reply.header('set-cookie', sessionCookie(req, cookie));
  return session;
}

export const csrfFor = (req: FastifyRequest, session: AdminSession) => csrfToken(secretOf(req), session);

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The admin preHandler. `csrf: false` is for the queue dashboard, whose own
 * scripts make its API calls: they cannot carry our form token, and the
 * session cookie is SameSite=Strict, so no other site can make them.
 */
export function adminAuthorizer(opts: { csrf: boolean }) {
  return async function authorize(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const mode = adminOpen(req);
    if (!mode) throw notFound(`no route for ${req.method} ${req.url.split('?')[0]}`);
    const auth = req.headers.authorization;
    if (auth !== undefined && /^bearer\s/i.test(auth)) {
      const token = auth.replace(/^bearer\s+/i, '').trim();
      const expected = req.server.deps.config.ADMIN_TOKEN;
      if (!expected) return undefined; // loopback mode: this machine's scripts
      await req.server.adminThrottle.check(req, reply);
      if (!sameSecret(token, expected)) {
        await req.server.adminThrottle.failed(req, 'bearer');
        throw unauthorized('a valid Bearer ADMIN_TOKEN is required');
      }
      return undefined;
    }
    let session = await currentSession(req);
    if (!session && mode === 'loopback') session = startSession(req, reply);
    if (!session) {
      if (SAFE.has(req.method) && !req.url.startsWith('/api/')) {
        return reply.redirect('/admin/login', 303);
      }
      throw unauthorized('log in at /admin/login or send Authorization: Bearer ADMIN_TOKEN');
    }
    req.adminSession = session;
    if (SAFE.has(req.method) || !opts.csrf) return undefined;
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    if (!csrfMatches(secretOf(req), session, body._csrf ?? req.headers['x-csrf-token'])) {
      throw forbidden('missing or invalid CSRF token; reload the page and try again');
    }
    return undefined;
  };
}

export const authorizeAdmin = adminAuthorizer({ csrf: true });
