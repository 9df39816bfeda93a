/** Where an API request carries its link token: `Authorization: Bearer …`, or `?token=`. */
import type { FastifyRequest } from 'fastify';

export function requestToken(req: FastifyRequest, fromQuery?: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return fromQuery;
}
