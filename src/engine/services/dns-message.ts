// The few parts of DNS (RFC 1035) the engine's resolver needs: read a query's id, question name and type, and
// write an answer with A records, an empty answer, or an error code.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface Question {
  readonly id: number;
  /** Lower case, without the trailing dot. */
  readonly name: string;
  readonly type: number;
  /** The question section as it came, copied into the answer. */
  readonly raw: Buffer;
  readonly recursionDesired: boolean;
}

/** The query's first question, or undefined for anything that is not a well-formed standard query. */
export function parseQuery(packet: Buffer): Question | undefined {
  if (packet.length < 12) return undefined;
  const flags = packet.readUInt16BE(2);
  const isQuery = (flags & 0x8000) === 0 && ((flags >> 11) & 0xf) === 0;
  if (!isQuery || packet.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= packet.length) return undefined;
    const length = packet[at]!;
    at += 1;
    if (length === 0) break;
    if (length > 63 || at + length > packet.length) return undefined; // compression never appears in a question
    labels.push(packet.subarray(at, at + length).toString('latin1'));
    at += length;
  }
  if (at + 4 > packet.length) return undefined;
  const type = packet.readUInt16BE(at);
  return {
    id: packet.readUInt16BE(0),
    name: labels.join('.').toLowerCase(),
    type,
    raw: packet.subarray(12, at + 4),
    recursionDesired: (flags & 0x0100) !== 0,
  };
}

/** An authoritative answer: A records for `addresses` (none: an empty NOERROR), or `rcode` when given. */
export function buildAnswer(question: Question, addresses: readonly string[], rcode = 0, ttl = 600): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  header.writeUInt16BE(0x8400 | (question.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode, 2); // QR AA (RD) RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rcode === 0 ? addresses.length : 0, 6);
  const records = rcode !== 0 ? [] : addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(1, 4); // class IN
    record.writeUInt32BE(ttl, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((part, index) => record.writeUInt8(Number(part), 12 + index));
    return record;
  });
  return Buffer.concat([header, question.raw, ...records]);
}
