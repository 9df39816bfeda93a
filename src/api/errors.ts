/**
 * Shorthands for the HTTP layer's own 4xx answers (see src/errors.ts), and the
 * one place that decides how an error is written: a browser (Accept prefers
 * text/html) gets the site's error page in its layout, anything else — curl,
 * fetch(), API clients — keeps `{ error, message, details? }`.
 */
import accepts from 'accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { errorPage } from './pages/error-page.ts';

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const unauthorized = (message = 'missing or invalid credentials') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'not allowed') => new AppError(403, 'forbidden', message);
export const notFound = (message = 'not found') => new AppError(404, 'not_found', message);
export const conflict = (message: string) => new AppError(409, 'conflict', message);

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/** JSON is listed first, so `*\/*` (curl, most clients) keeps JSON; only an explicit text/html wins. */
export function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && accepts(req.raw).type(['json', 'html']) === 'html';
}

/** Writes an error answer as a page or as JSON, whichever the client asked for. */
export function sendError(req: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody, pageMessage = body.message) {
  reply.code(status);
  if (wantsHtml(req)) return reply.type('text/html; charset=utf-8').send(errorPage(status, pageMessage));
  return reply.send(body);
}
