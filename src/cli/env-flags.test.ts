import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEnvFlags } from './env-flags.js';

test('-e KEY=VALUE is kept, -e KEY takes its value from the environment, and is left out when nothing has it', () => {
  const lookup = (name: string): string | undefined => ({ SHELL_ONE: 'from shell', EMPTY: '' })[name];
  assert.deepEqual(resolveEnvFlags(['A=1', 'B=x=y', 'C=', 'SHELL_ONE', 'EMPTY', 'MISSING'], lookup), ['A=1', 'B=x=y', 'C=', 'SHELL_ONE=from shell', 'EMPTY=']);
});
