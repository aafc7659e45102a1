// The few parts of DNS (RFC 1035) the engine's resolver needs: read a query's id, question name and type, and
// write an answer with A records, an empty answer, or an error code; truncated (TC) when it outgrows a UDP message.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
/** The largest answer sent over UDP: the answers carry no EDNS record, so RFC 1035's 512 bytes hold. */
export const UDP_MESSAGE_LIMIT = 512;
const A_RECORD_SIZE = 16;

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

/**
 * An authoritative answer: A records for `addresses` (none: an empty NOERROR), or `rcode` when given. With a `limit`,
 * as many records as fit in it, and the TC bit set when some did not, so that the client asks again over TCP.
 */
export function buildAnswer(question: Question, addresses: readonly string[], rcode = 0, options: { ttl?: number; limit?: number | undefined } = {}): Buffer {
  const ttl = options.ttl ?? 600;
  const all = rcode === 0 ? addresses : [];
  const room = options.limit === undefined ? all.length : Math.max(0, Math.floor((options.limit - 12 - question.raw.length) / A_RECORD_SIZE));
  const kept = all.slice(0, room);
  const truncated = kept.length < all.length;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  header.writeUInt16BE(0x8400 | (truncated ? 0x0200 : 0) | (question.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode, 2); // QR AA (TC) (RD) RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(kept.length, 6);
  const records = kept.map((address) => {
    const record = Buffer.alloc(A_RECORD_SIZE);
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
