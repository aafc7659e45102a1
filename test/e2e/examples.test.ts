// Every example comes up as it is (no file copied into it first): `berth up --wait` in its folder, its page
// answered, then `down`. Under a unique project name, so that runs side by side do not meet.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { berth, cleanup, ROOT, succeeded, testEngine } from './helpers.js';

const EXAMPLES: Array<{ folder: string; service: string; port: number; page: RegExp }> = [
  { folder: 'hello', service: 'web', port: 8080, page: /<p>/ },
  { folder: 'watch', service: 'web', port: 8080, page: /berth watch/ },
  { folder: 'library', service: 'web', port: 8080, page: /served by a stack/ },
];

for (const example of EXAMPLES) {
  test(`examples/${example.folder} comes up as it is, answers, and goes away`, async (t) => {
    const cwd = join(ROOT, 'examples', example.folder);
    const name = `e2e-example-${example.folder}-${randomBytes(3).toString('hex')}`;
    const engine = await testEngine();
    t.after(() => cleanup(engine, name));
    const run = (args: string[]) => berth(['-p', name, ...args], { cwd, timeoutMs: 180_000 });
    // --build: the image as the example's files say now, not one an earlier run left.
    succeeded(await run(['up', '--wait', '--wait-timeout', '90', '--build']));
    const address = succeeded(await run(['port', example.service, String(example.port)])).stdout.trim();
    const response = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(10_000) });
    assert.match(await response.text(), example.page);
    succeeded(await run(['down']));
    assert.deepEqual(await engine.containers.list({ label: [`com.docker.compose.project=${name}`] }, true), []);
    assert.equal(existsSync(join(cwd, 'web', 'busybox')), false, 'nothing was copied into the example');
  });
}
