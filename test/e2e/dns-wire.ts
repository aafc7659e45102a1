// DNS messages for the network tests, written independently of the engine's own code: a query, the reading of an
// answer, and a responder's answer, plus queries over UDP and TCP from the host.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export const TYPE_A = 1;

/** A standard query with RD set for one name. */
export function encodeQuery(name: string, id = 0x4242, type = TYPE_A): Buffer {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

export interface DecodedMessage {
  readonly id: number;
  readonly response: boolean;
  readonly truncated: boolean;
  readonly rcode: number;
  readonly name: string;
  readonly type: number;
  /** The A records of the answer section. */
  readonly addresses: string[];
}

/** Reads a message with one question (queries and answers alike); compressed names in answers are skipped. */
export function decodeMessage(message: Buffer): DecodedMessage {
  const flags = message.readUInt16BE(2);
  const labels: string[] = [];
  let at = 12;
  while (message[at]! !== 0) {
    labels.push(message.subarray(at + 1, at + 1 + message[at]!).toString('latin1'));
    at += 1 + message[at]!;
  }
  at += 1;
  const type = message.readUInt16BE(at);
  at += 4;
  const addresses: string[] = [];
  for (let index = 0; index < message.readUInt16BE(6); index++) {
    if ((message[at]! & 0xc0) === 0xc0) at += 2;
    else {
      while (message[at]! !== 0) at += 1 + message[at]!;
      at += 1;
    }
    const recordType = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 8);
    if (recordType === TYPE_A) addresses.push([...message.subarray(at + 10, at + 14)].join('.'));
    at += 10 + length;
  }
  return { id: message.readUInt16BE(0), response: (flags & 0x8000) !== 0, truncated: (flags & 0x0200) !== 0, rcode: flags & 0xf, name: labels.join('.').toLowerCase(), type, addresses };
}

/** An answer to `query`: A records for `addresses`, or NXDOMAIN when there are none. */
export function encodeAnswer(query: Buffer, addresses: readonly string[]): Buffer {
  const question = decodeMessage(query);
  const end = 12 + question.name.split('.').reduce((length, label) => length + 1 + label.length, 0) + 1 + 4;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180 | (addresses.length === 0 ? 3 : 0), 2);
  header.writeUInt16BE(addresses.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  const records = addresses.map((address) => Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...address.split('.').map(Number)]));
  return Buffer.concat([header, query.subarray(12, end), ...records]);
}

export function framed(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
}

/** Asks `server`:53 over UDP, asking again each second as resolvers do (three tries). */
export function askUdp(server: string, name: string): Promise<DecodedMessage> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const query = encodeQuery(name);
    let tries = 0;
    const ask = (): void => {
      if (tries++ === 3) {
        socket.close();
        reject(new Error(`no UDP answer from ${server} for ${name}`));
        return;
      }
      socket.send(query, 53, server);
      timer = setTimeout(ask, 1000);
    };
    let timer: NodeJS.Timeout | undefined;
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(decodeMessage(message));
    });
    ask();
  });
}

/** Asks `server`:53 over TCP, several queries on one connection (answered in turn). */
export function askTcp(server: string, names: readonly string[]): Promise<DecodedMessage[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server, port: 53 });
    let received = Buffer.alloc(0);
    const answers: DecodedMessage[] = [];
    socket.setTimeout(3000, () => {
      socket.destroy();
      reject(new Error(`no TCP answer from ${server} for ${names.join(', ')}`));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat(names.map((name, index) => framed(encodeQuery(name, index + 1))))));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        answers.push(decodeMessage(received.subarray(2, 2 + received.readUInt16BE(0))));
        received = received.subarray(2 + received.readUInt16BE(0));
      }
      if (answers.length === names.length) {
        socket.destroy();
        resolve(answers);
      }
    });
  });
}
