// List filters answered alike by dockerd and by berth's engine: the same containers, the same filters, the same ids
// back (names matched with their leading slash as Go regular expressions, ids as patterns, bad values refused).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
const prefix = `bf${process.pid}`;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  for (const name of ['web', 'web-2', 'db']) dockerd(['rm', '-f', `${prefix}-${name}`]);
  await engine?.stop();
});

const dockerd = (args: readonly string[]): { code: number | null; stdout: string; stderr: string } => {
  const result = spawnSync('docker', ['-H', 'unix:///var/run/docker.sock', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

test('name, status and exited filters give the same containers on dockerd and on berth\'s engine', () => {
  const engines = [['dockerd', dockerd], ['berth', engine.docker]] as const;
  for (const [, run] of engines) {
    for (const name of ['web', 'web-2', 'db']) assert.equal(run(['create', '--network', 'none', '--name', `${prefix}-${name}`, IMAGE, 'true']).code, 0);
  }
  const names = (run: (args: readonly string[]) => { stdout: string }, filter: string): string[] =>
    run(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']).stdout.split('\n').filter((line) => line.startsWith(prefix)).sort();
  for (const filter of [`name=^/${prefix}-web$`, `name=^${prefix}-web$`, `name=${prefix}-web`, `name=${prefix}-(db|web-2)`, 'name=(', 'status=created', 'exited=0']) {
    const [docker, berth] = engines.map(([, run]) => names(run, filter));
    assert.deepEqual(berth, docker, `filter ${filter}`);
  }
  assert.deepEqual(names(engine.docker, `name=^/${prefix}-web$`), [`${prefix}-web`]);
  for (const filter of ['status=sleeping', 'health=sick']) {
    const [docker, berth] = engines.map(([, run]) => run(['ps', '-a', '--filter', filter]).code);
    assert.deepEqual([berth, docker], [1, 1], `filter ${filter} is refused by both`);
  }
});
