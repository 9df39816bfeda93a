/**
 * A real SMTP server for tests, in a child process (smtp-sink-process.ts):
 * the app sends to `sink.url` through its normal SMTP transport, and the test
 * reads what arrived (raw and parsed by mailparser). Replies can be scripted
 * per recipient, for delivery tests of temporary (421) and permanent (550)
 * failures:
 *
 *   const sink = await startSmtpSink();
 *   await sink.reply('gone@example.org', 550, '5.1.1 no such user');            // at RCPT TO, always
 *   await sink.reply('busy@example.org', 421, '4.3.2 try later', { stage: 'data', times: 1 });
 *   const mail = await sink.waitFor((m) => m.to.includes('ada@example.org'));
 *   await sink.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface ReplyOptions {
  /** 'rcpt' answers RCPT TO (the default); 'data' accepts the recipient and answers after DATA. */
  stage?: 'rcpt' | 'data';
  /** How many times to answer so; default until `clearReplies()`. */
  times?: number;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** With `light`: only recipients and Message-IDs, for runs of thousands. */
  envelopes: { to: string[]; messageId: string; content: string }[];
  reply(recipient: string, code: number, message?: string, opts?: ReplyOptions): Promise<void>;
  clearReplies(): Promise<void>;
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url));

export interface SinkOptions {
  /** Listen here instead of a free port (e.g. to bring a relay "back" where the app expects it). */
  port?: number;
  /** Report only envelopes, Message-IDs and a content summary, not whole messages. */
  light?: boolean;
  /** Answer each DATA this much later (light mode only): a slow relay. */
  delayMs?: number;
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const args = [
    ...(opts.port ? ['--port', String(opts.port)] : []),
    ...(opts.light ? ['--light'] : []),
    ...(opts.delayMs ? ['--delay-ms', String(opts.delayMs)] : []),
  ];
  const child: ChildProcess = fork(SCRIPT, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ReceivedMail[] = [];
  const envelopes: SmtpSink['envelopes'] = [];
  const waiters = new Set<() => void>();
  const acks = new Map<number, () => void>();
  let nextId = 1;

  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`smtp sink exited with ${code} before it was ready`)));
    child.on('message', (msg: { type: string; port?: number; id?: number; from?: string; to?: string[]; raw?: string; messageId?: string; content?: string }) => {
      if (msg.type === 'ready') resolve(msg.port!);
      else if (msg.type === 'envelope') envelopes.push({ to: msg.to!, messageId: msg.messageId!, content: msg.content ?? '' });
      else if (msg.type === 'ack') acks.get(msg.id!)?.();
      else if (msg.type === 'message') {
        void simpleParser(msg.raw!).then((parsed) => {
          messages.push({ from: msg.from!, to: msg.to!, raw: msg.raw!, parsed });
          for (const w of waiters) w();
        });
      }
    });
  });
  child.removeAllListeners('exit');

  const request = (msg: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      acks.set(id, () => {
        acks.delete(id);
        resolve();
      });
      child.send({ ...msg, id });
    });

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    envelopes,
    reply: (recipient, code, message = `${code} scripted reply`, opts = {}) =>
      request({ type: 'reply', recipient, code, message, stage: opts.stage ?? 'rcpt', times: opts.times }),
    clearReplies: () => request({ type: 'clear' }),
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${messages.length})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    // Stopped first, so every message it accepted has been reported before it goes.
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.connected) return resolve();
        child.once('exit', () => resolve());
        void request({ type: 'stop' }).then(() => child.disconnect());
      }),
  };
}
