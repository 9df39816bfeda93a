/**
 * The body parsers for JSON and forms, stricter than the defaults in two ways
 * that would otherwise reach the routes:
 *
 * - bytes that are not UTF-8 (raw, or %-escaped in a form) are refused (400
 *   `invalid_utf8`) instead of being decoded to U+FFFD (or kept as `%FF`) and
 *   stored: a subscriber's address or keyword would be silently changed;
 * - JSON nested deeper than MAX_JSON_DEPTH is refused (400 `too_deep`) before
 *   it is parsed: no request field is more than a few levels deep, and
 *   validation (and its error messages) walk values recursively, so a 5,000-level
 *   array overflowed the stack (a 500 anyone could trigger).
 *
 * JSON itself is still parsed by Fastify's own parser (secure-json-parse:
 * `__proto__` and `constructor.prototype` refused), forms by fast-querystring
 * as @fastify/formbody does.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import { parse as parseQuery } from 'fast-querystring';
import { AppError } from '../errors.ts';

export const MAX_JSON_DEPTH = 32;

const notUtf8 = () => new AppError(400, 'invalid_utf8', 'the request body is not valid UTF-8 text; send it encoded as UTF-8');

/** How deeply arrays and objects nest, not counting brackets inside strings. Stops counting past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Text of a body, or the 400 that explains why there is none. */
export function utf8Text(body: Buffer): string {
  if (!isUtf8(body)) throw notUtf8();
  return body.toString('utf8');
}

/** Any logger and type provider: app.ts has pino's and zod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, any, any>;

export function registerBodyParsers(app: AppInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      const text = utf8Text(body as Buffer);
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        throw new AppError(400, 'too_deep', `the JSON body nests more than ${MAX_JSON_DEPTH} levels deep`);
      }
      parseJson(req, text, done);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      const text = utf8Text(body as Buffer);
      // fast-querystring leaves a %-escape that is not UTF-8 (`%FF`) as it is; refuse it like raw bytes.
      if (/%[89a-f][0-9a-f]/i.test(text)) {
        for (const part of text.split('&')) {
          try {
            decodeURIComponent(part.replace(/\+/g, ' '));
          } catch {
            throw notUtf8();
          }
        }
      }
      done(null, parseQuery(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
