import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAnswer, parseQuery, RCODE_NXDOMAIN, TYPE_A, UDP_MESSAGE_LIMIT } from './dns-message.js';

/** A query as resolvers send it: id, RD, one question. */
function query(name: string, type: number): Buffer {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

test('a query is read: id, lower-cased name, type', () => {
  const question = parseQuery(query('Web.Example', TYPE_A))!;
  assert.deepEqual([question.id, question.name, question.type, question.recursionDesired], [0x1234, 'web.example', TYPE_A, true]);
  assert.equal(parseQuery(Buffer.from([1, 2, 3])), undefined);
});

test('answers carry every address as an A record, or the error code', () => {
  const question = parseQuery(query('db', TYPE_A))!;
  const answer = buildAnswer(question, ['172.18.0.2', '172.18.0.3']);
  assert.equal(answer.readUInt16BE(0), 0x1234);
  assert.equal(answer.readUInt16BE(6), 2);
  assert.deepEqual([...answer.subarray(answer.length - 4)], [172, 18, 0, 3]);
  const missing = buildAnswer(question, [], RCODE_NXDOMAIN);
  assert.equal(missing.readUInt16BE(2) & 0xf, RCODE_NXDOMAIN);
  assert.equal(missing.readUInt16BE(6), 0);
});

test('an answer too big for a UDP message keeps what fits and sets TC; without a limit, every record goes', () => {
  const question = parseQuery(query('many.replicas', TYPE_A))!;
  const addresses = Array.from({ length: 40 }, (_, index) => `172.18.1.${index + 2}`);
  const udp = buildAnswer(question, addresses, 0, { limit: UDP_MESSAGE_LIMIT });
  assert.ok(udp.length <= UDP_MESSAGE_LIMIT);
  assert.equal(udp.readUInt16BE(2) & 0x0200, 0x0200, 'TC is set');
  assert.equal(udp.readUInt16BE(6), Math.floor((UDP_MESSAGE_LIMIT - 12 - question.raw.length) / 16), 'as many records as fit');
  const tcp = buildAnswer(question, addresses);
  assert.equal(tcp.readUInt16BE(2) & 0x0200, 0);
  assert.equal(tcp.readUInt16BE(6), 40);
  const small = buildAnswer(question, addresses.slice(0, 3), 0, { limit: UDP_MESSAGE_LIMIT });
  assert.equal(small.readUInt16BE(2) & 0x0200, 0, 'no TC when everything fits');
});
