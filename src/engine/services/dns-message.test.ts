import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAnswer, parseQuery, RCODE_NXDOMAIN, TYPE_A } from './dns-message.js';

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
