/** A DNS stand-in for tests: answers TXT and MX questions from a table over UDP on 127.0.0.1 (dns-packet). */
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

export interface Zone {
  [name: string]: { TXT?: string[]; MX?: { preference: number; exchange: string }[] };
}

export async function startDnsServer(zone: Zone): Promise<{ address: string; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions![0]!;
    const entry = zone[q.name.toLowerCase().replace(/\.$/, '')];
    const answers: dnsPacket.Answer[] =
      q.type === 'TXT'
        ? (entry?.TXT ?? []).map((v) => ({ type: 'TXT', name: q.name, ttl: 60, data: v.match(/.{1,255}/g)! }))
        : q.type === 'MX'
          ? (entry?.MX ?? []).map((mx) => ({ type: 'MX', name: q.name, ttl: 60, data: mx }))
          : [];
    // RCODE 3 (NXDOMAIN) for names not in the table; NOERROR with no answers otherwise.
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | (entry ? 0 : 3);
    socket.send(dnsPacket.encode({ id: query.id, type: 'response', flags, questions: query.questions, answers }), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
