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

test('tty progress redraws a block with a title, a mark per finished line and timings', () => {
  const { stream, text } = capture();
  const sink = createSink({ mode: 'tty', stream, color: false });
  sink.event(progressEvent('Container demo-web-1', 'Starting'));
  sink.event(progressEvent('Container demo-web-1', 'Started'));
  sink.close();
  assert.match(text(), /\[\+\] Running 1\/1\n\x1b\[2K ✔ Container demo-web-1 {2}Started {2}\d+\.\ds\n$/);
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

test('tty: an image being pulled shows its layers under it and a summary on its line, then folds them in', () => {
  const { stream, text } = capture();
  const sink = createSink({ mode: 'tty', stream, color: false });
  sink.event(progressEvent('Image reg/web:1', 'Pulling'));
  sink.event({ resource: 'aaaaaaaaaaaa', parent: 'Image reg/web:1', status: 'Downloading', done: false, detail: '1MB/2MB', current: 1e6, total: 2e6 });
  sink.event({ resource: 'bbbbbbbbbbbb', parent: 'Image reg/web:1', status: 'Pull complete', done: true });
  sink.close();
  const pulling = text();
  assert.match(pulling, /\[\+\] Running 0\/1\n.* Image reg\/web:1 2 layers \[⣦⣿\] 1MB\/2MB {2}Pulling/);
  assert.match(pulling, /\n\x1b\[2K {3}. aaaaaaaaaaaa Downloading 1MB\/2MB\n/);
  assert.match(pulling, /\n\x1b\[2K {3}✔ bbbbbbbbbbbb Pull complete\n/);
  const after = capture();
  const done = createSink({ mode: 'tty', stream: after.stream, color: false });
  done.event(progressEvent('Image reg/web:1', 'Pulling'));
  done.event({ resource: 'bbbbbbbbbbbb', parent: 'Image reg/web:1', status: 'Pull complete', done: true });
  done.event(progressEvent('Image reg/web:1', 'Pulled'));
  done.close();
  assert.match(after.text(), /\[\+\] Running 1\/1\n\x1b\[2K ✔ Image reg\/web:1 1 layer \[⣿\] {2}Pulled {2}\d+\.\ds\n$/);
});
