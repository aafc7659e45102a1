// Scenario tests of secrets and configs on one engine: file ones are read-only bind mounts where compose puts them;
// environment and content ones are files written in with their owner and mode (read with the docker CLI); ones
// berth cannot provide stop `up` with a message naming them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, succeeded, testProject } from './helpers.js';

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

test('environment and content secrets and configs are written in before the start, with their uid, gid and mode', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    secrets:
      - token
      - { source: token, target: owned, uid: "1234", gid: "5678", mode: "0440" }
    configs:
      - site
      - { source: site, target: /etc/app/site.conf, mode: 0600 }
secrets:
  token:
    environment: TOKEN
configs:
  site:
    content: |
      listen \${PORT:-8080}
`);
  succeeded(await project.run(['up', '-d'], { env: { TOKEN: 's3cret' } }));
  const name = `${project.name}-web-1`;
  const files = '/run/secrets/token /run/secrets/owned /site /etc/app/site.conf';
  const result = spawnSync('docker', ['exec', name, 'sh', '-c', `stat -c '%n %a %u:%g' ${files}; cat ${files}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stdout,
    '/run/secrets/token 444 0:0\n/run/secrets/owned 440 1234:5678\n/site 444 0:0\n/etc/app/site.conf 600 0:0\ns3crets3cretlisten 8080\nlisten 8080\n',
  );
});

test('a secret whose variable is not set, and an external one, are errors naming them', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    secrets: [token]
secrets:
  token:
    environment: BERTH_TEST_UNSET_TOKEN
`);
  const unset = await project.run(['up', '-d']);
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /secret "token" comes from the environment variable BERTH_TEST_UNSET_TOKEN, which is not set/);
  assert.deepEqual(await project.containers(), [], 'no container is left without its secret');
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
