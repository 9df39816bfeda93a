/**
 * Structured JSON logs (pino). On an interactive terminal the lines are
 * pretty-printed; anywhere else (containers, CI, files) they stay JSON.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, opts: { pretty?: boolean; name?: string } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    level,
    name: opts.name,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  });
}

/** A logger that drops everything: tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
