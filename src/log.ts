/**
 * Structured JSON logs (pino). On an interactive terminal the lines are
 * pretty-printed; anywhere else (containers, CI, files) they stay JSON.
 */
import { pino, type Logger } from 'pino';
import { REDACT_PATHS, REDACTED, serializeRequest } from './log-redact.ts';

export type { Logger };

export function createLogger(level: string, opts: { pretty?: boolean; name?: string } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    level,
    name: opts.name,
    // Credentials never reach a log line (src/log-redact.ts); this `req`
    // serializer replaces the web framework's default one.
    serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  });
}

/** A logger that drops everything: tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
