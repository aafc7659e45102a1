// Scenario tests of lifecycle hooks on one engine: post_start commands run in the started container with their user,
// working directory and environment; a failing one fails `up` with its status and output; pre_stop commands run
// before `stop`/`down` stop a container, and a failing one is reported while the container is stopped anyway;
// `--dry-run` lists them. Side effects are read with the docker CLI and from a bind-mounted directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, succeeded, testProject } from './helpers.js';

function docker(args: readonly string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

test('post_start runs in the started container, pre_stop before stop and down, a failing pre_stop is reported and the container stopped', async (t) => {
  const project = await testProject(t);
  // Writable by the hook's user (the test image's /tmp is not).
  mkdirSync(join(project.dir, 'out'), { mode: 0o777 });
  chmodSync(join(project.dir, 'out'), 0o777);
  const compose = (preStopExit: number): string => `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    volumes: [./out:/out]
    post_start:
      - command: sh -c 'echo "$$MODE $$(id -u) $$(pwd)" > /out/started'
        user: "1234"
        working_dir: /etc
        environment: { MODE: warm }
      - command: ["sh", "-c", "cat /out/started > /out/second"]
    pre_stop:
      - command: sh -c 'echo bye >> /out/stopping; exit ${preStopExit}'
`;
  project.write(compose(0));
  succeeded(await project.run(['up', '-d']));
  const name = `${project.name}-web-1`;
  assert.equal(docker(['exec', name, 'cat', '/out/started']), 'warm 1234 /etc\n');
  assert.equal(readFileSync(join(project.dir, 'out/second'), 'utf8'), 'warm 1234 /etc\n', 'the second hook ran after the first');

  succeeded(await project.run(['stop']));
  assert.equal(readFileSync(join(project.dir, 'out/stopping'), 'utf8'), 'bye\n');
  assert.equal(docker(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'false');

  project.write(compose(7));
  succeeded(await project.run(['up', '-d']));
  const down = await project.run(['down']);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /pre_stop hook #1 in container .*-web-1 exited with status 7/);
  assert.equal(readFileSync(join(project.dir, 'out/stopping'), 'utf8'), 'bye\nbye\n');
  assert.deepEqual(await project.containers(), [], 'down removed the container all the same');
});

test('a failing post_start fails up with its status and output; --dry-run lists the hooks', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    post_start:
      - command: sh -c 'echo boom; exit 3'
    pre_stop:
      - command: ["true"]
`);
  const dryRun = await project.run(['--dry-run', 'up', '-d']);
  assert.equal(dryRun.code, 0, dryRun.stderr);
  assert.match(dryRun.stdout + dryRun.stderr, /run post_start hook #1 in container .*-web-1: sh -c echo boom; exit 3/);
  assert.deepEqual(await project.containers(), [], 'a dry run creates nothing');

  const up = await project.run(['up', '-d']);
  assert.equal(up.code, 1);
  assert.match(up.stderr, /service web: post_start hook #1 in container .*-web-1 exited with status 3:\nboom/);
  assert.doesNotMatch(up.stderr, /\n\s+at /);
});
