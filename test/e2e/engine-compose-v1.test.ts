// docker-compose 1.29 (Debian's `docker-compose`, a client nobody here wrote) drives berth's engine: a stack with a
// build, a custom network, a named volume and a published port comes up, answers, and `down -v` removes it all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

test('docker-compose 1.29 brings a built, networked, published stack with a volume up on the engine, and down -v cleans it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-compose-v1-'));
  const project = `v1${Date.now().toString(36)}`;
  const compose = (...args: string[]) => {
    const result = spawnSync('docker-compose', ['-p', project, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: engine.host } });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };
  t.after(() => {
    compose('down', '-v');
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'index.html'), '<h1>served by berth</h1>\n');
  writeFileSync(join(dir, 'web', 'Dockerfile'), `FROM ${IMAGE}\nCOPY index.html /var/www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/var/www"]\n`);
  writeFileSync(join(dir, 'docker-compose.yml'), `version: "3.8"
services:
  web:
    build: ./web
    ports: ["127.0.0.1:${port}:80"]
    networks: [front]
  db:
    image: ${IMAGE}
    command: sh -c "echo stored > /data/file; sleep 600"
    volumes: [data:/data]
    networks: [front]
  client:
    image: ${IMAGE}
    command: sleep 600
    depends_on: [web, db]
    networks: [front]
networks:
  front: {}
volumes:
  data: {}
`);
  const up = compose('up', '-d');
  assert.equal(up.code, 0, up.out);
  let page = '';
  const deadline = Date.now() + 10_000;
  while (page !== '<h1>served by berth</h1>\n' && Date.now() < deadline) {
    page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then((response) => response.text()).catch(() => '');
  }
  assert.equal(page, '<h1>served by berth</h1>\n', 'the published port serves the built page');
  assert.equal(compose('exec', '-T', 'client', 'wget', '-qO-', 'http://web/').out, '<h1>served by berth</h1>\n', 'services find each other by name');

  assert.equal(compose('exec', '-T', 'db', 'cat', '/data/file').out, 'stored\n');
  assert.match(engine.docker(['volume', 'ls', '--format', '{{.Name}}']).stdout, new RegExp(`${project}_data`));

  const down = compose('down', '-v');
  assert.equal(down.code, 0, down.out);
  assert.equal(engine.docker(['ps', '-aq']).stdout, '');
  assert.doesNotMatch(engine.docker(['network', 'ls', '--format', '{{.Name}}']).stdout, new RegExp(`${project}_front`));
  assert.doesNotMatch(engine.docker(['volume', 'ls', '--format', '{{.Name}}']).stdout, new RegExp(`${project}_data`));
});
