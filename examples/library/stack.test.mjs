// An integration test suite that needs a stack and has berth as its only dependency: the stack comes up once for
// the suite (waiting until it is healthy), the tests talk to it over HTTP and run commands in it, and it is taken
// down afterwards, whatever happened. Run it with `node --test examples/library/` after `npm run build`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { http, up } from 'berth';

const here = fileURLToPath(new URL('.', import.meta.url));
let stack;

before(async () => {
  stack = await up({
    projectDirectory: here,
    files: [`${here}compose.yaml`],
    projectName: `library-example-${process.pid}`,
    env: { GREETING: 'bonjour' },
    wait: { timeout: 60_000 },
  });
});

after(() => stack?.down());

test('the page is served on the published port', async () => {
  await stack.waitFor('web', http(8080, '/index.html'));
  const response = await fetch(await stack.url('web', 8080, '/index.html'));
  assert.equal(response.status, 200);
  assert.match(await response.text(), /served by a stack/);
});

test('the service sees the environment the suite gave it', async () => {
  const { exitCode, stdout } = await stack.exec('web', 'echo "$GREETING"');
  assert.equal(exitCode, 0);
  assert.equal(stdout, 'bonjour\n');
});

test('the service is running and healthy', async () => {
  const [web] = await stack.services();
  assert.equal(web.name, 'web');
  assert.equal(web.containers[0].state, 'running');
  assert.equal(web.containers[0].health, 'healthy');
});
