// Legacy links of a docker-compose 1.x file (no `services:` key): docker-compose 1.29 ran such a file's services on
// the engine's default bridge, where the engine gives each linking container the linked one's address, ports, name
// and environment as `<ALIAS>_PORT_...`, `<ALIAS>_NAME`, `<ALIAS>_ENV_...` variables. The same file brought up by
// docker-compose 1.29 and by berth, on the same engine, must give the linking container the same variables (up to
// the project's name, the `_`/`-` in container names and the addresses).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanup, IMAGE, testEngine, testProject } from './helpers.js';

const hasCompose = spawnSync('docker-compose', ['version'], { timeout: 30_000 }).status === 0;

const V1_FILE = `
db:
  image: ${IMAGE}
  command: ["sleep", "300"]
  expose: ["5432", "5433", "6000", "53/udp"]
  environment:
    - PASSWORD=pw
    - SPACED=a b
web:
  image: ${IMAGE}
  command: ["sleep", "300"]
  links:
    - db:database
    - db
  environment:
    - DATABASE_NAME=mine
`;

test('a 1.x file: the linking container gets the legacy link variables docker-compose 1.29 gave it', { skip: !hasCompose && 'docker-compose (v1) is not installed' }, async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  writeFileSync(join(project.dir, 'docker-compose.yml'), V1_FILE);
  // docker-compose 1.x keeps only [a-z0-9] of a project name.
  const v1Project = `${project.name.replace(/[^a-z0-9]/g, '')}v1`;
  t.after(async () => {
    spawnSync('docker-compose', ['-p', v1Project, 'down', '-t', '0'], { cwd: project.dir, timeout: 120_000 });
    await cleanup(engine, v1Project);
  });
  const v1 = spawnSync('docker-compose', ['-p', v1Project, 'up', '-d'], { cwd: project.dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(v1.status, 0, v1.stderr);
  const berth = await project.run(['-p', project.name, 'up', '-d']);
  assert.equal(berth.code, 0, berth.stderr);

  const environment = async (container: string, name: string): Promise<string[]> => {
    const result = await engine.containers.exec(container, { command: ['env'] });
    assert.equal(result.exitCode, 0, result.output);
    const upper = name.toUpperCase().replaceAll('-', '_');
    return result.output
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('HOSTNAME='))
      .map((line) => line.replaceAll(upper, 'PROJECT').replaceAll(name, 'project').replace(/\d+\.\d+\.\d+\.\d+/g, 'IP'))
      .map((line) => (/^[A-Z0-9_]+_NAME=/.test(line) ? line.replaceAll('-', '_') : line))
      .sort();
  };
  const fromV1 = await environment(`${v1Project}_web_1`, v1Project);
  const fromBerth = await environment(`${project.name}-web-1`, project.name);
  assert.deepEqual(fromBerth, fromV1, 'the same variables as under docker-compose 1.29');
  for (const expected of [
    'DATABASE_NAME=mine',
    'DATABASE_PORT_53_UDP=udp://IP:53',
    'DATABASE_PORT_5432_TCP=tcp://IP:5432',
    'DATABASE_PORT_5432_TCP_ADDR=IP',
    'DATABASE_PORT_5432_TCP_PORT=5432',
    'DATABASE_PORT_5432_TCP_PROTO=tcp',
    'DATABASE_PORT_6000_TCP=tcp://IP:6000',
    'DATABASE_ENV_SPACED=a b',
    'DB_NAME=/project_web_1/db',
    'DB_ENV_PASSWORD=pw',
  ]) {
    assert.ok(fromBerth.includes(expected), `${expected} in:\n${fromBerth.join('\n')}`);
  }
  assert.ok(!fromBerth.some((line) => line.startsWith('DB_ENV_PATH=')), 'PATH and HOME are not passed on');
  // Which port <ALIAS>_PORT names, and whether runs of ports get _START/_END variables, depend on the engine's
  // version (dockerd 20.10: the lowest number, udp or not, and no ranges here; moby since 2023 and berth's engine:
  // the lowest tcp port, and ranges); the unit test of src/engine/services/link-env.ts holds berth's to moby's.
  assert.ok(fromBerth.some((line) => /^DATABASE_PORT=(tcp:\/\/IP:5432|udp:\/\/IP:53)$/.test(line)));

  // A one-off links to its service's running containers only (a stopped one would refuse its start on the bridge),
  // and to the services it links to, with their variables.
  assert.equal((await project.run(['-p', project.name, 'stop', 'web'])).code, 0);
  const oneOff = await project.run(['-p', project.name, 'run', '--rm', '--no-deps', 'web', 'sh', '-c', 'echo "$DB_PORT_5432_TCP_PORT"']);
  assert.equal(oneOff.code, 0, oneOff.stderr);
  assert.equal(oneOff.stdout.trim(), '5432');
});
