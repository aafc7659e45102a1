// `berth up` on a real terminal (a tmux pane of a chosen size): the live display ends as one clean block whatever the
// terminal's size, in colour unless NO_COLOR says otherwise, and `--progress plain` keeps compose's lines on a
// terminal too. Skipped where tmux is not installed (scripts/ensure-test-environment.sh installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SLEEPER, testProject } from './helpers.js';
import type { TestProject } from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function compose(count: number): string {
  const services = Array.from({ length: count }, (_, i) => `  svc${i + 1}:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n`).join('');
  return `services:\n${services}`;
}

interface Screen {
  readonly code: number;
  /** What the pane shows, scrollback included, with its escape codes (colours) when `escapes` was asked for. */
  readonly lines: string[];
}

let terminals = 0;

/** Runs berth in a detached tmux pane of `columns` x `rows` and returns its exit code and the whole screen. */
async function onTerminal(project: TestProject, columns: number, rows: number, args: readonly string[], env: Record<string, string>, escapes = false): Promise<Screen> {
  // A tmux server of its own for each run: one being killed can still hold the name of the last one.
  const run = ++terminals;
  const marker = join(project.dir, `exit-${run}`);
  // In the project's directory, removed after the test with it (tmux leaves its sockets behind).
  const socket = join(project.dir, `tmux-${run}`);
  const variables = { ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), ...env };
  const command = [
    `cd ${quote(project.dir)}`,
    `env ${Object.entries(variables).map(([name, value]) => `${name}=${quote(value)}`).join(' ')} ${quote(process.execPath)} ${quote(join(ROOT, 'bin/berth.js'))} ${args.map(quote).join(' ')}`,
    `echo $? > ${quote(marker)}`,
    'sleep 60',
  ].join('; ');
  try {
    const started = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', 'pty', command], { timeout: 10_000 });
    assert.equal(started.status, 0, String(started.stderr));
    const deadline = Date.now() + 120_000;
    // Waiting without blocking the event loop, so that this process's engine connections stay healthy meanwhile.
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(existsSync(marker), `berth ${args.join(' ')} did not finish on the terminal in time`);
    const captured = spawnSync('tmux', ['-S', socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-S', '-', '-t', 'pty'], { timeout: 10_000 });
    const lines = String(captured.stdout).split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
    return { code: Number(readFileSync(marker, 'utf8').trim()), lines };
  } finally {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { timeout: 10_000 });
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

const COLOUR = /\x1b\[3\dm/;
const unstyled = (line: string): string => line.replace(/\x1b\[[0-9;]*m/g, '');

test('up on a terminal smaller than the project ends as one clean block of cut lines, in colour', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const count = 6;
  const project = await testProject(t, compose(count));
  const screen = await onTerminal(project, 40, 8, ['up', '-d'], {}, true);
  const text = screen.lines.map(unstyled);
  assert.equal(screen.code, 0, text.join('\n'));
  // Every service's container and the network, each once, finished, none wider than the terminal.
  assert.deepEqual(text.filter((line) => line.startsWith('[+]')), [`[+] Running ${count + 1}/${count + 1}`], text.join('\n'));
  const block = text.slice(text.findIndex((line) => line.startsWith('[+]')) + 1);
  assert.equal(block.length, count + 1, text.join('\n'));
  for (const line of block) {
    assert.ok(line.startsWith(' ✔ '), line);
    assert.ok([...line].length < 40, `wider than the terminal: ${line}`);
  }
  assert.ok(screen.lines.some((line) => COLOUR.test(line)), 'a terminal gets colours');
  const running = (await project.containers()).filter((container) => container.state === 'running');
  assert.equal(running.length, count);
});

test('NO_COLOR keeps the terminal display without colours; --progress plain keeps compose\'s lines', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const project = await testProject(t, compose(1));
  const screen = await onTerminal(project, 80, 24, ['up', '-d'], { NO_COLOR: '1' }, true);
  assert.equal(screen.code, 0, screen.lines.join('\n'));
  assert.ok(!screen.lines.some((line) => COLOUR.test(line)), screen.lines.join('\n'));
  assert.ok(screen.lines.some((line) => /^ ✔ Container .*-svc1-1 +Started /.test(unstyled(line))), screen.lines.join('\n'));
  const plain = await onTerminal(project, 80, 24, ['--progress', 'plain', 'up', '-d', '--force-recreate'], {}, true);
  assert.equal(plain.code, 0, plain.lines.join('\n'));
  const container = ` Container ${project.name}-svc1-1  `;
  assert.deepEqual(plain.lines, ['Recreate', 'Recreated', 'Starting', 'Started'].map((status) => `${container}${status}`));
});

test('only progress on a terminal loads listr2 and chalk: --version, --help, config -q and up without a terminal do not', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const project = await testProject(t, compose(1));
  const report = join(project.dir, 'modules');
  const env = { NODE_OPTIONS: `--import=${join(ROOT, 'bench/loaded-modules.mjs')}`, BERTH_LOADED_MODULES: report };
  const display = /npm:(listr2|chalk)\b/g;
  for (const args of [['--version'], ['--help'], ['config', '-q'], ['up', '-d']]) {
    rmSync(report, { force: true });
    const result = await project.run(args, { env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readFileSync(report, 'utf8').match(display), null, `berth ${args.join(' ')}`);
  }
  rmSync(report, { force: true });
  const screen = await onTerminal(project, 80, 24, ['up', '-d', '--force-recreate'], env);
  assert.equal(screen.code, 0, screen.lines.join('\n'));
  assert.deepEqual(readFileSync(report, 'utf8').match(display)?.sort(), ['npm:chalk', 'npm:listr2']);
});

test('--ansi always draws the terminal display even into a pipe, in colour; --ansi never on a terminal prints plain lines', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const project = await testProject(t, compose(1));
  const piped = await project.run(['--ansi', 'always', 'up', '-d'], { env: { NO_COLOR: '' } });
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stderr, /\[\+\].* Running 2\/2\n/);
  assert.match(piped.stderr, COLOUR);
  const never = await onTerminal(project, 80, 24, ['--ansi', 'never', 'up', '-d', '--force-recreate'], {}, true);
  assert.equal(never.code, 0, never.lines.join('\n'));
  assert.deepEqual(never.lines, ['Recreate', 'Recreated', 'Starting', 'Started'].map((status) => ` Container ${project.name}-svc1-1  ${status}`));
});
