// The tty display under a real terminal (tmux, a pseudo-terminal of a chosen size): what a person sees once `up` is
// done must be the note above one clean block, however small the terminal: no half-erased earlier drawings left in
// the scrollback, no wrapped lines. Skipped where tmux is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const sinks = new URL('./sinks.js', import.meta.url).href;
const events = new URL('./events.js', import.meta.url).href;

/**
 * A program that shows `count` containers being created and started on stderr, with a warning on the way. With a
 * `pause` file, it writes it once every container is being created and waits for it to be removed before going on.
 */
function driver(count: number, marker: string, pause?: string): string {
  return `
    import { createSink } from ${JSON.stringify(sinks)};
    import { progressEvent } from ${JSON.stringify(events)};
    import { existsSync, writeFileSync } from 'node:fs';
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const sink = createSink({ mode: 'tty', stream: process.stderr, color: true });
    for (let i = 1; i <= ${count}; i++) { sink.event(progressEvent('Container project-with-a-long-name-web-' + i, 'Creating')); await sleep(40); }
    const pause = ${JSON.stringify(pause ?? '')};
    if (pause) {
      writeFileSync(pause, '');
      for (let waited = 0; existsSync(pause) && waited < 20_000; waited += 50) await sleep(50);
    }
    sink.note('WARN[0000] a warning in the middle');
    for (let i = 1; i <= ${count}; i++) { sink.event(progressEvent('Container project-with-a-long-name-web-' + i, 'Started')); await sleep(40); }
    sink.close();
    writeFileSync(${JSON.stringify(marker)}, 'done');
  `;
}

/** Runs the driver in a detached tmux session of the given size and returns everything on its screen and scrollback. */
function screenAfter(columns: number, rows: number, count: number, resizeTo?: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pty-'));
  // The server's socket inside the test's directory, so that it goes with it (tmux leaves its sockets behind).
  const socket = join(dir, 'tmux');
  const marker = join(dir, 'done');
  const pause = resizeTo === undefined ? undefined : join(dir, 'pause');
  try {
    const command = `node --input-type=module -e ${shellQuote(driver(count, marker, pause))}; sleep 30`;
    const started = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', 'pty', command], { timeout: 10_000 });
    assert.equal(started.status, 0, String(started.stderr));
    const deadline = Date.now() + 20_000;
    if (pause) {
      while (!existsSync(pause) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
      assert.ok(existsSync(pause), 'the display never got half way');
      const resized = spawnSync('tmux', ['-S', socket, 'resize-window', '-t', 'pty', '-x', String(resizeTo), '-y', String(rows)], { timeout: 10_000 });
      assert.equal(resized.status, 0, String(resized.stderr));
      rmSync(pause);
    }
    while (!existsSync(marker) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    assert.ok(existsSync(marker), 'the display never finished');
    // After a resize, tmux keeps in its scrollback the rows a narrower terminal reflowed out of reach: only the
    // screen is looked at then.
    const history = pause ? [] : ['-S', '-'];
    const captured = spawnSync('tmux', ['-S', socket, 'capture-pane', '-p', ...history, '-t', 'pty'], { timeout: 10_000 });
    return captured.stdout.toString().split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
  } finally {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

for (const [columns, rows] of [[80, 24], [40, 8], [24, 5]] as const) {
  test(`a ${columns}x${rows} terminal shows the warning above one clean block of cut lines`, { skip: !hasTmux && 'tmux is not installed' }, () => {
    const count = 10;
    const screen = screenAfter(columns, rows, count);
    assert.deepEqual(screen.filter((line) => line.startsWith('[+]')), [`[+] Running ${count}/${count}`], screen.join('\n'));
    assert.equal(screen.filter((line) => line.startsWith('WARN')).length, 1, screen.join('\n'));
    const block = screen.slice(screen.findIndex((line) => line.startsWith('[+]')) + 1);
    assert.equal(block.length, count, screen.join('\n'));
    for (const line of block) {
      assert.ok(line.startsWith(' ✔ Container '), line);
      assert.ok([...line].length < columns, `wider than the terminal: ${line}`);
    }
    if (columns < 60) assert.ok(block.every((line) => line.endsWith('…')), screen.join('\n'));
  });
}

test('a terminal made narrower while the display runs ends with one clean block on its screen', { skip: !hasTmux && 'tmux is not installed' }, () => {
  const count = 5;
  const screen = screenAfter(70, 12, count, 30);
  assert.deepEqual(screen.filter((line) => line.startsWith('[+]')), [`[+] Running ${count}/${count}`], screen.join('\n'));
  const block = screen.slice(screen.findIndex((line) => line.startsWith('[+]')) + 1);
  assert.equal(block.length, count, screen.join('\n'));
  for (const line of block) {
    assert.ok(line.startsWith(' ✔ Container '), line);
    assert.ok([...line].length < 30, `wider than the terminal: ${line}`);
  }
});
