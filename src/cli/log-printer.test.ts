import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { displayName, LogPrinter } from './log-printer.js';

test('log lines are prefixed with the container, padded to the longest name', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk) => (text += chunk));
  const printer = new LogPrinter({ out, color: false, prefix: true });
  printer.register('server-1');
  printer.line('web-1', 'hello');
  printer.status('web-1', 'exited with code 0');
  assert.equal(text, 'web-1     | hello\nweb-1 exited with code 0\n');
});

test('display names drop the project prefix, as compose shows them', () => {
  assert.equal(displayName('demo', 'demo-web-1'), 'web-1');
  assert.equal(displayName('demo', 'demo_web_1'), 'web_1');
  assert.equal(displayName('demo', 'custom-name'), 'custom-name');
});
