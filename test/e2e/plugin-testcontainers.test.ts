// The docker CLI plugin driven by a client nobody here wrote: testcontainers-node's DockerComposeEnvironment shells
// out to `docker compose`, which runs berth once `berth plugin install --as compose` has put berth there. The plugin
// goes into a temporary DOCKER_CONFIG, so the machine's ~/.docker is untouched.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, berth, succeeded, testProject } from './helpers.js';

test('testcontainers DockerComposeEnvironment brings a stack up and down through `docker compose` = berth', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    labels:
      berth.test: plugin
`);
  const home = mkdtempSync(join(tmpdir(), 'berth-tc-home-'));
  const config = join(home, '.docker');
  const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED };
  t.after(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });
  succeeded(await berth(['plugin', 'install', '--as', 'compose'], { cwd: project.dir, env: { DOCKER_CONFIG: config }, timeoutMs: 30_000 }));
  // testcontainers spawns `docker compose` with this process's environment.
  process.env.DOCKER_CONFIG = config;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { DockerComposeEnvironment } = await import('testcontainers');
  const environment = await new DockerComposeEnvironment(project.dir, 'compose.yaml').withProjectName(project.name).up();
  try {
    const web = environment.getContainer("web-1");
    const { output, exitCode } = await web.exec(['echo', 'from testcontainers']);
    assert.equal(exitCode, 0);
    assert.match(output, /from testcontainers/);
    const containers = await project.containers();
    assert.deepEqual(containers.map((container) => [container.name, container.state, container.labels['berth.test']]), [[`${project.name}-web-1`, 'running', 'plugin']]);
  } finally {
    await environment.down({ timeout: 10_000 });
  }
  assert.deepEqual(await project.containers(), []);
});
