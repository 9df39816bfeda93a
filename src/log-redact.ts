/**
 * What the logs must never hold: the credentials that travel in requests.
 * Signed links carry their token in the query (`?token=…`, and the model's
 * feedback and click links alike), admin and webhook callers send
 * `Authorization`, and the admin session is a cookie. A log line is read by
 * more people, kept longer and copied further than the database, so every
 * secret is replaced before a line is written, at any level.
 */

/** Query parameters whose values are secrets, whatever the route. */
const SECRET_PARAMS = /^(token|sig|signature|key|secret|password|access_token)$/i;

export const REDACTED = '[redacted]';

/** `path?token=abc&x=1` → `path?token=[redacted]&x=1`; the rest of the URL is kept as sent. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeName(eq < 0 ? pair : pair.slice(0, eq));
      return eq >= 0 && SECRET_PARAMS.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${query}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

/**
 * The request serializer: the same fields the web framework logs by default,
 * with the URL's secrets replaced. Headers are not logged at all, so
 * `Authorization` and `Cookie` cannot leak through them.
 */
export function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Paths pino blanks wherever a caller logs an object of its own (a failed
 * webhook's headers, an outgoing request's options).
 */
export const REDACT_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'authorization',
  'token',
  '*.token',
];
