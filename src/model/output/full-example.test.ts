// Conformance: the spec's full example, loaded and rendered, must equal what compose's reference loader renders.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInMemory } from '../../cli/run-in-memory.js';
import { DISK } from '../files.js';
import { loadFromFiles } from '../load-passes.js';
import { renderModel } from './render.js';
import type { OutputFormat } from './render.js';

const dir = fileURLToPath(new URL('../../../fixtures/model/full-example', import.meta.url));
const home = '/home/conformance';
// The variables the reference test loads the example with.
const environment = { HOME: home, BAR: 'this is a secret', QUX: 'qux_from_environment' };

/** The template with its placeholders filled in the order its `.args.txt` lists them. */
function expected(format: OutputFormat): string {
  const template = readFileSync(join(dir, `expected-config.${format}.tmpl`), 'utf8');
  const args = readFileSync(join(dir, `expected-config.${format}.args.txt`), 'utf8');
  const paths = [...args.matchAll(/(?:toPath|filepath\.Join)\((workingDir|homeDir)(?:, "([^"]+)")?\)|^\s*(workingDir|homeDir),?$/gm)].map((match) => {
    const base = (match[1] ?? match[3]) === 'homeDir' ? home : dir;
    return match[2] ? join(base, match[2]) : base;
  });
  let index = 0;
  const filled = template.replaceAll('%s', () => paths[index++]!);
  assert.equal(index, paths.length, 'every placeholder has a path');
  return filled;
}

// The reference keeps the resolved environment and the env and label files both; the reference test skips
// normalization and the consistency check (the example sets network_mode and networks together on purpose).
const load = () =>
  loadFromFiles({ cwd: dir, environment, normalize: false, consistency: false, discardEnvFiles: false, warn: () => {} }, DISK);

for (const format of ['yaml', 'json'] as const) {
  test(`the full example renders as compose's reference loader renders it (${format})`, () => {
    assert.equal(renderModel(load().tree, format), expected(format));
  });
}

// `config` prints the same, except that it drops env_file and label_file once their contents are in environment
// and labels, as `docker compose config` does.
test('berth config --no-normalize --no-consistency prints the reference, without env_file and label_file', async () => {
  const result = await runInMemory(['config', '--no-normalize', '--no-consistency'], dir, environment);
  assert.equal(result.code, 0, result.stderr);
  const withoutFiles = expected('yaml').replace(/^ {4}(env_file|label_file):\n(?: {6}.*\n)+/gm, '');
  assert.equal(result.stdout, withoutFiles);
});
