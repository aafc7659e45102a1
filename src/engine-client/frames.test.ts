import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { demultiplex, FrameReader } from './frames.js';

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

test('frames are read whole whatever the chunk boundaries', () => {
  const seen: string[] = [];
  const reader = new FrameReader((stream, payload) => seen.push(`${stream}:${payload.toString()}`));
  const bytes = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(3, 'engine'), frame(1, '')]);
  for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
  assert.deepEqual(seen, ['stdout:out', 'stderr:err', 'system:engine', 'stdout:']);
  assert.equal(reader.leftover, 0);
  reader.push(frame(1, 'cut').subarray(0, 9));
  assert.equal(reader.leftover, 9);
});

test('demultiplex sends stdout and stderr frames apart and resolves when the source ends', async () => {
  const source = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const done = demultiplex(source, stdout, stderr);
  source.end(Buffer.concat([frame(1, 'a'), frame(2, 'b'), frame(1, 'c')]));
  await done;
  assert.equal(String(stdout.read()), 'ac');
  assert.equal(String(stderr.read()), 'b');
});
