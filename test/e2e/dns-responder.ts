// A DNS server for a test host: `dns-responder.ts ADDRESS NAME=IP...` answers those names (A records) over UDP and
// TCP on ADDRESS:53, NXDOMAIN for the rest, and prints `ready` once it listens. Run inside the test host's namespace.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { decodeMessage, encodeAnswer, framed } from './dns-wire.js';

const [address = '', ...entries] = process.argv.slice(2);
const records = new Map(entries.map((entry) => entry.split('=') as [string, string]));
const answer = (query: Buffer): Buffer => {
  const known = records.get(decodeMessage(query).name);
  return encodeAnswer(query, known ? [known] : []);
};

const udp = createSocket('udp4');
udp.on('message', (query, remote) => udp.send(answer(query), remote.port, remote.address));
const tcp = createServer((client) => {
  let pending = Buffer.alloc(0);
  client.on('error', () => client.destroy());
  client.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      client.write(framed(answer(pending.subarray(2, 2 + pending.readUInt16BE(0)))));
      pending = pending.subarray(2 + pending.readUInt16BE(0));
    }
  });
});
let bound = 0;
const ready = (): void => {
  if (++bound === 2) process.stdout.write('ready\n');
};
udp.bind(53, address, ready);
tcp.listen({ host: address, port: 53 }, ready);
process.on('SIGTERM', () => process.exit(0));
