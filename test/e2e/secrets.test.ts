// Scenario tests of secrets and configs on one engine: file ones are read-only bind mounts where compose puts them;
// ones berth cannot provide stop `up` with a message naming them.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, testProject } from './helpers.js';

test('file secrets and configs are mounted read-only at /run/secrets/<name>, /<name> and their targets', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    secrets: [token, { source: token, target: renamed }]
    configs: [{ source: site, target: /etc/site.conf }, site]
secrets:
  token:
    file: ./token.txt
configs:
  site:
    file: ./site.conf
`);
  writeFileSync(join(project.dir, 'token.txt'), 's3cret\n');
  writeFileSync(join(project.dir, 'site.conf'), 'listen 80\n');
  const up = await project.run(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const read = await project.run(['exec', '-T', 'web', 'sh', '-c', 'cat /run/secrets/token /run/secrets/renamed /etc/site.conf /site; echo x > /run/secrets/token || echo read-only']);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, 's3cret\ns3cret\nlisten 80\nlisten 80\nread-only\n');
});

test('a secret from the environment, and an external one, are errors naming them', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    secrets: [token]
secrets:
  token:
    environment: TOKEN
`);
  const fromEnvironment = await project.run(['up', '-d'], { env: { TOKEN: 'x' } });
  assert.equal(fromEnvironment.code, 1);
  assert.match(fromEnvironment.stderr, /secret "token" from environment is not supported by berth yet/);
  project.write(`
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    secrets: [vault]
secrets:
  vault:
    external: true
`);
  const external = await project.run(['up', '-d']);
  assert.equal(external.code, 1);
  assert.match(external.stderr, /secret "vault" is external: only a swarm keeps such objects/);
});
