import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressEvent } from './events.js';
import { createSink } from './sinks.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

test('plain progress: one line per event, as compose prints them', () => {
  const { stream, text } = capture();
  const sink = createSink({ mode: 'plain', stream, color: false });
  sink.event(progressEvent('Container demo-web-1', 'Creating'));
  sink.event(progressEvent('Container demo-web-1', 'Created'));
  sink.note('WARN[0000] something');
  sink.close();
  assert.equal(text(), ' Container demo-web-1  Creating\n Container demo-web-1  Created\nWARN[0000] something\n');
});

test('json progress: one object per line', () => {
  const { stream, text } = capture();
  const sink = createSink({ mode: 'json', stream, color: false });
  sink.event(progressEvent('Network demo_default', 'Error', 'boom'));
  assert.deepEqual(JSON.parse(text()), { id: 'Network demo_default', status: 'Error', text: 'boom', error: true });
});

test('a dry run marks every line as compose does', () => {
  const plain = capture();
  createSink({ mode: 'plain', stream: plain.stream, color: false, dryRun: true }).event(progressEvent('Container demo-web-1', 'Created'));
  assert.equal(plain.text(), ' DRY-RUN MODE -  Container demo-web-1  Created\n');
  const json = capture();
  createSink({ mode: 'json', stream: json.stream, color: false, dryRun: true }).event(progressEvent('Container demo-web-1', 'Created'));
  assert.deepEqual(JSON.parse(json.text()), { 'dry-run': true, id: 'Container demo-web-1', status: 'Created' });
});

test('auto picks plain when stderr is not a terminal; quiet prints nothing', () => {
  const plain = capture();
  createSink({ mode: 'auto', stream: plain.stream, color: false }).event(progressEvent('Volume v', 'Created'));
  assert.equal(plain.text(), ' Volume v  Created\n');
  const quiet = capture();
  createSink({ mode: 'quiet', stream: quiet.stream, color: false }).event(progressEvent('Volume v', 'Created'));
  assert.equal(quiet.text(), '');
});

test('layers: plain prints them as lines of their own, json names their image as parent_id', () => {
  const layer = { resource: 'a1b2c3d4e5f6', parent: 'Image reg/web:1', status: 'Downloading', done: false, detail: '1MB/2MB', current: 1e6, total: 2e6 } as const;
  const plain = capture();
  createSink({ mode: 'plain', stream: plain.stream, color: false }).event(layer);
  assert.equal(plain.text(), ' a1b2c3d4e5f6  Downloading 1MB/2MB\n');
  const json = capture();
  createSink({ mode: 'json', stream: json.stream, color: false }).event(layer);
  assert.deepEqual(JSON.parse(json.text()), { id: 'a1b2c3d4e5f6', parent_id: 'Image reg/web:1', status: 'Downloading', text: '1MB/2MB', current: 1e6, total: 2e6, percent: 50 });
});

test('tty: the display is loaded on first use; events recorded before it loads keep their times', async () => {
  const { stream, text } = capture();
  let now = 0;
  const sink = createSink({ mode: 'tty', stream, color: false, clock: { now: () => now } });
  sink.event(progressEvent('Container demo-web-1', 'Starting'));
  now = 1_200;
  sink.event(progressEvent('Container demo-web-1', 'Started'));
  now = 60_000;
  sink.close();
  const deadline = Date.now() + 20_000;
  while (text() === '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(text(), '\x1b[2K[+] Running 1/1\n\x1b[2K ✔ Container demo-web-1  Started  1.2s\n\x1b[J');
});
