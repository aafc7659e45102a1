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

/** What the last drawing left on screen: the text after the last move back up over the block, codes removed. */
function lastFrame(text: string): string[] {
  const frames = text.split(/\x1b\[\d+F/);
  return frames[frames.length - 1]!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').slice(0, -1);
}

/** A clock that moves only when told to. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

function terminal(columns: number, rows: number): { stream: PassThrough & { columns: number; rows: number }; text: () => string } {
  const { stream, text } = capture();
  return { stream: Object.assign(stream, { columns, rows }), text };
}

test('tty: durations come from the injected clock', () => {
  const { stream, text } = terminal(80, 24);
  const clock = fakeClock();
  const sink = createSink({ mode: 'tty', stream, color: false, clock });
  sink.event(progressEvent('Network demo_default', 'Creating'));
  sink.event(progressEvent('Container demo-web-1', 'Creating'));
  clock.advance(300);
  sink.event(progressEvent('Network demo_default', 'Created'));
  clock.advance(1200);
  sink.event(progressEvent('Container demo-web-1', 'Error', 'no such image'));
  sink.close();
  assert.deepEqual(lastFrame(text()), [
    '[+] Running 2/2',
    ' ✔ Network demo_default  Created  0.3s',
    ' ✘ Container demo-web-1  Error no such image  1.5s',
  ]);
});

test('tty: lines are cut to the terminal width, never wrapped', () => {
  const { stream, text } = terminal(30, 24);
  const sink = createSink({ mode: 'tty', stream, color: false, clock: fakeClock() });
  sink.event(progressEvent('Container a-very-long-project-name-web-1', 'Started'));
  sink.event(progressEvent('Volume v', 'Created', 'with a long detail that would wrap'));
  sink.close();
  const frame = lastFrame(text());
  assert.deepEqual(frame, ['[+] Running 2/2', ' ✔ Container a-very-long-pro…', ' ✔ Volume v                 …']);
  for (const line of frame) assert.ok([...line].length < 30, line);
});

test('tty: the live block stays shorter than the terminal; the last drawing shows every line', () => {
  const { stream, text } = terminal(80, 6);
  const clock = fakeClock();
  const sink = createSink({ mode: 'tty', stream, color: false, clock });
  for (let i = 1; i <= 8; i++) sink.event(progressEvent(`Container demo-web-${i}`, i <= 5 ? 'Started' : 'Starting'));
  sink.note('WARN something');
  // The note goes above the block; the spinner's frame is whatever it is.
  const [note, ...live] = lastFrame(text()).map((line) => line.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, '*'));
  assert.equal(note, 'WARN something');
  assert.deepEqual(live, [
    '[+] Running 5/8',
    ' … 5 more (5 done)',
    ' * Container demo-web-6  Starting  0.0s',
    ' * Container demo-web-7  Starting  0.0s',
    ' * Container demo-web-8  Starting  0.0s',
  ]);
  sink.close();
  const final = lastFrame(text());
  assert.equal(final.length, 9);
  assert.equal(final[1], ' ✔ Container demo-web-1  Started  0.0s');
});

test('tty: colours only when asked, from chalk', () => {
  const plain = terminal(80, 24);
  const sink = createSink({ mode: 'tty', stream: plain.stream, color: false, clock: fakeClock() });
  sink.event(progressEvent('Volume v', 'Created'));
  sink.close();
  assert.doesNotMatch(plain.text(), /\x1b\[3\dm/);
  const colored = terminal(80, 24);
  const colorSink = createSink({ mode: 'tty', stream: colored.stream, color: true, clock: fakeClock() });
  colorSink.event(progressEvent('Volume v', 'Created'));
  colorSink.event(progressEvent('Volume w', 'Error', 'boom'));
  colorSink.close();
  assert.match(colored.text(), /\x1b\[32m✔\x1b\[39m/);
  assert.match(colored.text(), /\x1b\[31mError\x1b\[39m/);
});
