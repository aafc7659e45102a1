// Fixture tests: each `fixtures/model/<case>/` with an `expected.json` is loaded with `berth config --format json`
// (arguments and variables from its optional `args.json`) and must print exactly that, with the case's directory
// written as `<dir>` and the home directory as `<home>`. `UPDATE_FIXTURES=1` rewrites them (review the diff).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInMemory } from '../cli/run-in-memory.js';

const root = fileURLToPath(new URL('../../fixtures/model', import.meta.url));
const home = '/home/fixtures';

interface CaseArgs {
  readonly args?: string[];
  readonly env?: Record<string, string>;
}

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  const expectedFile = join(dir, 'expected.json');
  if (!existsSync(expectedFile) && !process.env.UPDATE_FIXTURES) continue;
  if (!existsSync(join(dir, 'args.json')) && !existsSync(expectedFile)) continue;
  test(`fixture ${name}: config --format json`, async () => {
    const spec: CaseArgs = existsSync(join(dir, 'args.json')) ? JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8')) : {};
    const result = await runInMemory([...(spec.args ?? []), 'config', '--format', 'json'], dir, { HOME: home, ...spec.env });
    assert.equal(result.code, 0, result.stderr);
    const actual = result.stdout.replaceAll(dir, '<dir>').replaceAll(home, '<home>');
    if (process.env.UPDATE_FIXTURES) writeFileSync(expectedFile, `${actual}\n`);
    assert.equal(actual, readFileSync(expectedFile, 'utf8').replace(/\n$/, ''));
  });
}
