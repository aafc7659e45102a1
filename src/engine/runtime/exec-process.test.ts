import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { containerProcessRunning } from './exec-process.js';

test('a process is running while it runs, and not once it has gone or when there is none', () => {
  assert.equal(containerProcessRunning(process.pid), true);
  assert.equal(containerProcessRunning(0), false);
  const ended = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(containerProcessRunning(Number(ended.stdout.trim())), false, 'an exited, reaped process');
});
