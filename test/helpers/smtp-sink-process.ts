/**
 * The SMTP sink's server, run in its own process by smtp-sink.ts so the
 * process under test talks to it over a real socket and shares no event loop
 * with it. Messages go back to the parent over IPC; the parent can script
 * replies per recipient (e.g. 550 at RCPT TO, 421 after DATA).
 *
 * IPC in:  { type: 'reply', id, recipient, code, message, stage, times } | { type: 'clear', id }
 *          | { type: 'stop', id }   (drop every connection and stop listening, as a relay that dies;
 *                                   the ack comes after every message reported before it)
 * IPC out: { type: 'ready', port } | { type: 'message', from, to, raw } | { type: 'ack', id }
 *          | { type: 'envelope', to, messageId, content }   (with --light: large runs skip shipping bodies;
 *            `content` names what the reader sees: the subject and the papers linked, in order)
 *
 * argv: [--port N] [--light] [--delay-ms N]  (--delay-ms: a slow relay, answering DATA that much later)
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

interface Rule {
  code: number;
  message: string;
  stage: 'rcpt' | 'data';
  /** Remaining uses; null = until cleared. */
  times: number | null;
}

const rules = new Map<string, Rule[]>();
const argv = process.argv.slice(2);
const light = argv.includes('--light');
const port = Number(argv[argv.indexOf('--port') + 1] ?? 0) || 0;
const delayMs = argv.includes('--delay-ms') ? Number(argv[argv.indexOf('--delay-ms') + 1]) : 0;
const send = (msg: unknown) => process.send?.(msg);

function take(recipient: string, stage: Rule['stage']): Rule | undefined {
  const list = rules.get(recipient.toLowerCase());
  const rule = list?.find((r) => r.stage === stage);
  if (!rule) return undefined;
  if (rule.times !== null && --rule.times <= 0) list!.splice(list!.indexOf(rule), 1);
  return rule;
}

/** The subject and the arXiv links in order (quoted-printable soft breaks undone): equal for the same digest. */
function contentOf(head: string, raw: string): string {
  const subject = /^subject:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
  const links = [...new Set(raw.replace(/=\r\n/g, '').match(/https:\/\/arxiv\.org\/abs\/[\w./-]+/g) ?? [])];
  return `${subject} | ${links.join(' ')}`;
}

const smtpError = (rule: Rule) => Object.assign(new Error(rule.message), { responseCode: rule.code });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  onRcptTo(address, _session, callback) {
    const rule = take(address.address, 'rcpt');
    callback(rule ? smtpError(rule) : null);
  },
  onData(stream, session: SMTPServerSession, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address);
      const rule = to.map((r) => take(r, 'data')).find(Boolean);
      if (rule) return callback(smtpError(rule));
      const raw = Buffer.concat(chunks).toString('utf8');
      if (light) {
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
        const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
        // Reported as the 250 goes out: what the client was told was accepted.
        const accept = () => {
          send({ type: 'envelope', to, messageId, content: contentOf(head, raw) });
          callback(null);
        };
        return delayMs ? setTimeout(accept, delayMs) : accept();
      }
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      send({ type: 'message', from, to, raw });
      callback(null);
    });
  },
});

// A client killed mid-session resets its socket; that is the client's problem, not the sink's.
server.on('error', () => {});
const sockets = new Set<import('node:net').Socket>();
server.server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

process.on('message', (msg: { type: string; id: number; recipient?: string } & Partial<Rule>) => {
  if (msg.type === 'reply' && msg.recipient) {
    const key = msg.recipient.toLowerCase();
    rules.set(key, [...(rules.get(key) ?? []), { code: msg.code!, message: msg.message!, stage: msg.stage!, times: msg.times ?? null }]);
  } else if (msg.type === 'clear') {
    rules.clear();
  } else if (msg.type === 'stop') {
    server.server.close();
    for (const s of sockets) s.destroy();
  }
  send({ type: 'ack', id: msg.id });
});
// The parent went away (test ended or crashed): do not linger.
process.on('disconnect', () => process.exit(0));

server.listen(port, '127.0.0.1', () => {
  const address = server.server.address();
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
