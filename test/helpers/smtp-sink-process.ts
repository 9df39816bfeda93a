/**
 * The SMTP sink's server, run in its own process by smtp-sink.ts so the
 * process under test talks to it over a real socket and shares no event loop
 * with it. Messages go back to the parent over IPC; the parent can script
 * replies per recipient (e.g. 550 at RCPT TO, 421 after DATA).
 *
 * IPC in:  { type: 'reply', id, recipient, code, message, stage, times } | { type: 'clear', id } | { type: 'stats', id }
 *          | { type: 'stop', id }   (stop listening and close every connection, as a relay that goes away;
 *                                   the ack comes after every message reported before it)
 * IPC out: { type: 'ready', port } | { type: 'message', from, to, raw } | { type: 'ack', id, maxOpen? }
 *          | { type: 'envelope', to, messageId, content }   (with --light: large runs skip shipping bodies;
 *            `content` names what the reader sees: the subject and the papers linked, in order)
 *
 * argv: [--port N] [--light] [--delay-ms N]  (--delay-ms: a slow relay, answering each message that much later)
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

// Set by 'stop': a message whose data ends after it is refused, not recorded.
let stopping = false;

const smtpError = (rule: Rule) => Object.assign(new Error(rule.message), { responseCode: rule.code });

// The most client connections open at once (how far a client's pool opened).
let open = 0;
let maxOpen = 0;

const server = new SMTPServer({
  authOptional: true,
  onConnect(_session, callback) {
    maxOpen = Math.max(maxOpen, ++open);
    callback();
  },
  onClose() {
    open--;
  },
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  onRcptTo(address, _session, callback) {
    const rule = take(address.address, 'rcpt');
    callback(rule ? smtpError(rule) : null);
  },
  onData(stream, session: SMTPServerSession, reply) {
    const later = (fn: () => void) => (delayMs ? void setTimeout(fn, delayMs) : fn());
    const chunks: Buffer[] = [];
    let kept = 0;
    // Light runs read only the headers: the rest of a large message is dropped as it arrives.
    stream.on('data', (c: Buffer) => {
      if (!light || kept < 8192) chunks.push(c);
      kept += c.length;
    });
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address);
      const rule = to.map((r) => take(r, 'data')).find(Boolean);
      if (rule) return later(() => reply(smtpError(rule)));
      const raw = Buffer.concat(chunks).toString('utf8');
      // Reported as the 250 goes out: what the client was told was accepted.
      // Once stopping, a message is refused instead, so none is recorded whose
      // reply the closing connection might not carry.
      later(() => {
        if (stopping) return reply(Object.assign(new Error('Service shutting down'), { responseCode: 421 }));
        if (light) {
          const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
          const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
          send({ type: 'envelope', to, messageId, content: contentOf(head, raw) });
        } else {
          send({ type: 'message', from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw });
        }
        reply(null);
      });
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
    // Each connection is ended after the replies already written to it, not
    // reset under them. A reset could drop a 250 for a message the sink has
    // recorded: the client rightly sends it again, and the run counts a
    // duplicate that is SMTP's own ambiguity (RFC 1047), not the sender's.
    stopping = true;
    server.server.close();
    for (const s of sockets) {
      s.end();
      setTimeout(() => s.destroy(), 200).unref();
    }
    // The ack waits until the sockets have flushed and closed (or been reset).
    return void setTimeout(() => send({ type: 'ack', id: msg.id }), 250);
  } else if (msg.type === 'stats') {
    return send({ type: 'ack', id: msg.id, maxOpen });
  }
  send({ type: 'ack', id: msg.id });
});
// The parent went away (test ended or crashed): do not linger.
process.on('disconnect', () => process.exit(0));

server.listen(port, '127.0.0.1', () => {
  const address = server.server.address();
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
