import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useColor } from './color.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

test('colours follow the stream they are written to, unless flags or the environment say otherwise', () => {
  assert.equal(useColor({ ansi: 'auto', environment: {}, stream: tty }), true);
  assert.equal(useColor({ ansi: 'auto', environment: {}, stream: pipe }), false);
  assert.equal(useColor({ ansi: 'auto', environment: { TERM: 'dumb' }, stream: tty }), false);
  assert.equal(useColor({ ansi: 'never', environment: { FORCE_COLOR: '1' }, stream: tty }), false);
  assert.equal(useColor({ ansi: 'always', environment: {}, stream: pipe }), true);
});

test('NO_COLOR switches colours off (even with --ansi always, as compose); FORCE_COLOR switches them on', () => {
  assert.equal(useColor({ ansi: 'auto', environment: { NO_COLOR: '1' }, stream: tty }), false);
  assert.equal(useColor({ ansi: 'always', environment: { NO_COLOR: 'yes' }, stream: pipe }), false);
  assert.equal(useColor({ ansi: 'auto', environment: { NO_COLOR: '' }, stream: tty }), true);
  assert.equal(useColor({ ansi: 'auto', environment: { FORCE_COLOR: '1' }, stream: pipe }), true);
  assert.equal(useColor({ ansi: 'auto', environment: { FORCE_COLOR: '' }, stream: pipe }), true);
  assert.equal(useColor({ ansi: 'auto', environment: { FORCE_COLOR: '0' }, stream: tty }), false);
  assert.equal(useColor({ ansi: 'auto', environment: { FORCE_COLOR: 'false' }, stream: tty }), false);
});
