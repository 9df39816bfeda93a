/**
 * The inbound SMTP endpoint for BOUNCE_ADDRESS (the MX of its domain points
 * here, directly or through a relay): `smtp-server` accepts mail for the
 * bounce address and its VERP forms only (550 for anything else, so it is
 * no open relay), and hands each message to handle.ts. A message is answered
 * 250 once handled — also when it could not be used, which is counted and
 * logged — and 451 only when the database is unreachable, so the sender
 * tries again later.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { isBounceRecipient, verpTag } from '../mail/envelope.ts';
import { handleBounceMail, type BounceDeps } from './handle.ts';

/** DSNs and ARF reports quote one message; 10 MB is far more than that needs. */
const MAX_BYTES = 10 * 1024 * 1024;

export interface BounceServer {
  port: number;
  close(): Promise<void>;
}

export interface BounceServerOptions extends BounceDeps {
  bounceAddress: string;
  host: string;
  port: number;
}

export async function startBounceServer(opts: BounceServerOptions): Promise<BounceServer> {
  const { bounceAddress, log } = opts;
  const server = new SMTPServer({
    banner: 'paperboy bounce endpoint',
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: MAX_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (isBounceRecipient(address.address, bounceAddress)) return callback();
      return callback(Object.assign(new Error('5.1.1 no such mailbox here'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          opts.metrics?.report('smtp', 'unparsable');
          log.warn({ bytes: MAX_BYTES }, 'bounce mail too large');
          return callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
        }
        const tag = session.envelope.rcptTo.map((r) => verpTag(r.address, bounceAddress)).find(Boolean);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        handleBounceMail(opts, { raw: Buffer.concat(chunks), verpTag: tag, envelopeFrom: from }).then(
          () => callback(),
          (err: unknown) => {
            log.warn({ err }, 'bounce mail not recorded; asking the sender to retry');
            callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'bounce endpoint connection error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  log.info({ host: opts.host, port, bounceAddress }, 'bounce endpoint listening');
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
