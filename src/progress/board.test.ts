import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frame, record } from './board.js';
import type { Board, FrameOptions, Segment } from './board.js';
import { progressEvent } from './events.js';

/** The frame as the text it shows, styles left out. */
function text(board: Board, options: Partial<FrameOptions> = {}): string[] {
  return frame(board, { now: 0, spinner: '*', title: 'Running', prefix: '', columns: 80, rows: 24, final: false, ...options }).map((segments: Segment[]) => segments.map(([piece]) => piece).join(''));
}

test('durations come from the times the caller recorded, to the tenth of a second', () => {
  const board: Board = new Map();
  record(board, progressEvent('Network demo_default', 'Creating'), 1_000);
  record(board, progressEvent('Container demo-web-1', 'Creating'), 1_000);
  record(board, progressEvent('Network demo_default', 'Created'), 1_300);
  assert.deepEqual(text(board, { now: 2_500 }), [
    '[+] Running 1/2',
    ' ✔ Network demo_default  Created  0.3s',
    ' * Container demo-web-1  Creating  1.5s',
  ]);
  record(board, progressEvent('Container demo-web-1', 'Error', 'no such image'), 2_500);
  assert.deepEqual(text(board, { now: 9_000, final: true }), [
    '[+] Running 2/2',
    ' ✔ Network demo_default  Created  0.3s',
    ' ✘ Container demo-web-1  Error no such image  1.5s',
  ]);
});

test('a line that starts working again runs its time on from its first event', () => {
  const board: Board = new Map();
  record(board, progressEvent('Container demo-web-1', 'Recreated'), 0);
  record(board, progressEvent('Container demo-web-1', 'Starting'), 400);
  assert.deepEqual(text(board, { now: 1_000 }), ['[+] Running 0/1', ' * Container demo-web-1  Starting  1.0s']);
});

test('lines are cut to the terminal width, never wrapped; a terminal that says no size is 80 columns', () => {
  const board: Board = new Map();
  record(board, progressEvent('Container a-very-long-project-name-web-1', 'Started'), 0);
  record(board, progressEvent('Volume v', 'Created', 'with a long detail that would wrap'), 0);
  const narrow = text(board, { columns: 30, final: true });
  assert.deepEqual(narrow, ['[+] Running 2/2', ' ✔ Container a-very-long-pro…', ' ✔ Volume v                 …']);
  for (const line of narrow) assert.ok([...line].length < 30, line);
  assert.deepEqual(text(board, { columns: 8, final: true }), ['[+] Ru…', ' ✔ Con…', ' ✔ Vol…']);
  const unknown = text(board, { columns: 0, final: true });
  assert.ok(unknown.every((line) => [...line].length < 80));
  assert.equal(unknown[2], ' ✔ Volume v                                  Created with a long detail that w…');
});

test('the live block stays shorter than the terminal, finished lines giving way first; the last drawing shows all', () => {
  const board: Board = new Map();
  for (let i = 1; i <= 8; i++) record(board, progressEvent(`Container demo-web-${i}`, i <= 5 ? 'Started' : 'Starting'), 0);
  assert.deepEqual(text(board, { rows: 6 }), [
    '[+] Running 5/8',
    ' … 5 more (5 done)',
    ' * Container demo-web-6  Starting  0.0s',
    ' * Container demo-web-7  Starting  0.0s',
    ' * Container demo-web-8  Starting  0.0s',
  ]);
  // Shorter than three rows is taken as three: the title and one line, as on the smallest terminal.
  assert.deepEqual(text(board, { rows: 1 }), ['[+] Running 5/8', ' … 8 more (5 done)']);
  assert.equal(text(board, { rows: 6, final: true }).length, 9);
});

test('an image being pulled shows its layers under it and a summary on its line, then folds them in', () => {
  const board: Board = new Map();
  record(board, progressEvent('Image reg/web:1', 'Pulling'), 0);
  record(board, { resource: 'aaaaaaaaaaaa', parent: 'Image reg/web:1', status: 'Downloading', done: false, detail: '1MB/2MB', current: 1e6, total: 2e6 }, 0);
  record(board, { resource: 'bbbbbbbbbbbb', parent: 'Image reg/web:1', status: 'Pull complete', done: true }, 0);
  assert.deepEqual(text(board), [
    '[+] Running 0/1',
    ' * Image reg/web:1 2 layers [⣦⣿] 1MB/2MB  Pulling  0.0s',
    '   * aaaaaaaaaaaa Downloading 1MB/2MB',
    '   ✔ bbbbbbbbbbbb Pull complete',
  ]);
  record(board, progressEvent('Image reg/web:1', 'Pulled'), 2_000);
  assert.deepEqual(text(board, { final: true }), ['[+] Running 1/1', ' ✔ Image reg/web:1 2 layers [⣦⣿] 1MB/2MB  Pulled  2.0s']);
});

test('a dry run puts compose\'s marker before each resource; the title is the caller\'s', () => {
  const board: Board = new Map();
  record(board, progressEvent('Container demo-web-1', 'Stopped'), 0);
  assert.deepEqual(text(board, { prefix: 'DRY-RUN MODE -  ', title: 'Stopping', final: true }), ['[+] Stopping 1/1', ' ✔ DRY-RUN MODE -  Container demo-web-1  Stopped  0.0s']);
});

test('marks and colours follow each status\'s tone, for every status there is', () => {
  const board: Board = new Map();
  record(board, progressEvent('Volume a', 'Created'), 0);
  record(board, progressEvent('Volume b', 'Error', 'boom'), 0);
  record(board, progressEvent('Volume c', 'Warning'), 0);
  record(board, progressEvent('Volume d', 'Skipped'), 0);
  const lines = frame(board, { now: 0, spinner: '*', title: 'Running', prefix: '', final: true });
  assert.deepEqual(lines.slice(1).map((segments) => segments[1]), [['✔', 'green'], ['✘', 'red'], ['!', 'yellow'], ['-', 'dim']]);
  assert.deepEqual(lines[2]![4], ['Error', 'red']);
});
