import assert from 'node:assert/strict';
import { test } from 'node:test';
import { record } from './board.js';
import type { Board } from './board.js';
import { progressEvent } from './events.js';
import { createDisplay } from './tty.js';

/** A terminal of a given size that keeps what was written to it. */
function terminal(columns: number, rows: number): { columns: number; rows: number; write: (text: string) => boolean; written: string } {
  const term = { columns, rows, written: '', write: (text: string) => ((term.written += text), true) };
  return term;
}

/** What the last drawing left on screen: the text after the last move back up over the block, codes removed. */
function lastFrame(text: string): string[] {
  const frames = text.split(/\x1b\[\d+F/);
  return frames[frames.length - 1]!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').slice(0, -1);
}

test('the display draws the board with the injected clock on close, over nothing else', () => {
  const term = terminal(80, 24);
  const board: Board = new Map();
  let now = 5_000;
  const display = createDisplay({ board, stream: term, color: false, clock: { now: () => now }, interval: 0 });
  record(board, progressEvent('Network demo_default', 'Creating'), now);
  now += 700;
  record(board, progressEvent('Network demo_default', 'Created'), now);
  display.close();
  assert.equal(term.written, '\x1b[2K[+] Running 1/1\n\x1b[2K ✔ Network demo_default  Created  0.7s\n\x1b[J');
  display.close();
  display.note('WARN after the end');
  assert.ok(term.written.endsWith('  0.7s\n\x1b[JWARN after the end\n'), 'a note after the end goes below the block, which is not drawn again');
});

test('a note goes above the block, which is drawn again over the lines it held and cut to the terminal', () => {
  const term = terminal(24, 5);
  const board: Board = new Map();
  const display = createDisplay({ board, stream: term, color: false, clock: { now: () => 0 }, interval: 0 });
  for (let i = 1; i <= 4; i++) record(board, progressEvent(`Container demo-web-${i}`, 'Starting'), 0);
  display.note('WARN one');
  display.note('WARN two');
  const [note, ...live] = lastFrame(term.written).map((line) => line.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, '*'));
  assert.equal(note, 'WARN two');
  assert.deepEqual(live, ['[+] Running 0/4', ' … 2 more', ' * Container demo-web-…', ' * Container demo-web-…']);
  display.close();
  const final = lastFrame(term.written);
  assert.equal(final.length, 5);
  assert.ok(final.every((line) => [...line].length < 24), final.join('\n'));
});

test('after the terminal is made narrower, the next drawing goes back over the rows the reflowed lines now take', () => {
  const term = terminal(40, 24);
  const board: Board = new Map();
  const display = createDisplay({ board, stream: term, color: false, clock: { now: () => 0 }, interval: 0 });
  record(board, progressEvent('Container demo-a-very-long-name-1', 'Starting'), 0);
  display.note('WARN one');
  // Drawn at 40 columns: the title (15 characters) and a line of 39, which take 1 and 2 rows at 20 columns.
  assert.deepEqual(lastFrame(term.written).map((line) => [...line].length), [8, 15, 39]);
  term.columns = 20;
  term.written = '';
  display.close();
  assert.ok(term.written.startsWith('\x1b[3F\x1b[2K[+] Running 0/1\n'), JSON.stringify(term.written));
  assert.ok(term.written.endsWith('\n\x1b[J'), 'what the taller drawing left below is erased');
  assert.ok(lastFrame(term.written).every((line) => [...line].length < 20));
});

test('colours only when asked, from chalk', () => {
  const plain = terminal(80, 24);
  const board: Board = new Map();
  record(board, progressEvent('Volume v', 'Created'), 0);
  record(board, progressEvent('Volume w', 'Error', 'boom'), 0);
  createDisplay({ board, stream: plain, color: false, clock: { now: () => 0 }, interval: 0 }).close();
  assert.doesNotMatch(plain.written, /\x1b\[3\dm/);
  const colored = terminal(80, 24);
  createDisplay({ board, stream: colored, color: true, clock: { now: () => 0 }, interval: 0 }).close();
  assert.match(colored.written, /\x1b\[32m✔\x1b\[39m/);
  assert.match(colored.written, /\x1b\[31mError\x1b\[39m/);
});

test('the live display redraws on its interval', async () => {
  const term = terminal(80, 24);
  const board: Board = new Map();
  record(board, progressEvent('Volume v', 'Creating'), 0);
  const display = createDisplay({ board, stream: term, color: false, clock: { now: () => 0 }, interval: 5 });
  const deadline = Date.now() + 10_000;
  while (!term.written.includes('\x1b[2F') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.match(term.written, /\x1b\[2F/, 'the second drawing moves back over the first');
  display.close();
});
