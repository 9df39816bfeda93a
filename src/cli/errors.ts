/**
 * How a failed command reads on the terminal: one plain line on stderr saying
 * what is wrong and, where we know it, what to do — never a class name or a
 * stack, which help the person who wrote the code, not the one running it.
 * `--verbose` (anywhere on the line) or LOG_LEVEL=debug/trace adds the stack.
 */

/** Node's system error codes, in words. */
const SYSTEM: Record<string, string> = {
  ENOENT: 'no such file or folder; check the path',
  EACCES: 'permission denied; check who owns it',
  EPERM: 'permission denied; check who owns it',
  EISDIR: 'that is a folder; give a file',
  ENOTDIR: 'part of the path is not a folder; check the path',
  EEXIST: 'it already exists',
  ENOSPC: 'the disk is full',
};

type SystemError = Error & { code?: string; address?: string; port?: number };

function connectionHint(err: SystemError): string | undefined {
  if (err.code !== 'ECONNREFUSED' && err.code !== 'ENOTFOUND' && err.code !== 'ETIMEDOUT') return undefined;
  const where = err.address ? `${err.address}${err.port ? `:${err.port}` : ''}` : 'the server';
  const what = err.port === 6379 ? 'Redis (REDIS_URL)' : err.port === 5432 ? 'Postgres (DATABASE_URL)' : 'the database (DATABASE_URL) or Redis (REDIS_URL)';
  return `cannot connect to ${where}; check that ${what} is running and the URL is right`;
}

/** Rewrites "ENOENT: no such file or directory, open 'x.json'" (Node's wording) as words. */
function plainSystemText(message: string): string {
  return message
    .replace(/\b(E[A-Z]+): [^,]+(, \w+( '[^']*')?)?/g, (all, code: string) => SYSTEM[code] ?? all)
    .replace(/\b(E[A-Z]{3,})\b$/, (all, code: string) => SYSTEM[code] ?? all);
}

/** The one line a failed command prints, without the `paperboy: ` prefix. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `${String(err)} (run again with --verbose for details)`;
  const e = err as SystemError;
  const cause = e.cause instanceof Error ? (e.cause as SystemError) : undefined;
  const connection = connectionHint(e) ?? (cause && connectionHint(cause));
  if (connection) return connection;
  if (e.code && SYSTEM[e.code]) return `${plainSystemText(e.message).split('\n')[0]}`;
  const line = plainSystemText(e.message.split('\n')[0]!.trim()) || 'something went wrong';
  // Our own errors (config, AppError and the domain's, file sources) are written for people;
  // anything else is a bug or a library's message, so point at the details.
  const ours = ['ConfigError', 'AppError', 'AdminError', 'SubscriberError', 'FileSourceError', 'HfApiError', 'MimeValueError'].includes(e.name) || e.constructor === Error;
  return ours ? line : `${line} (run again with --verbose for details)`;
}

export function wantsStack(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--verbose') || env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
}

/** The stack and any causes, for --verbose. */
export function errorDetails(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    parts.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
  }
  return parts.join('\nCaused by: ');
}
