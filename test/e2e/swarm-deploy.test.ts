// berth deploy to a Docker Swarm: a single-node swarm on dockerd (initialised by this file when dockerd is in none,
// and left again at the end), images in a registry on loopback. berth's own engine is no swarm manager: there, and
// on a dockerd outside any swarm, deploy is a clear error saying how to make one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { createCredentials } from '../../src/engine-client/credentials.js';
import { swarmOf } from '../../src/engine-client/swarm.js';
import type { Swarm, SwarmService } from '../../src/engine-client/swarm.js';
import { removeStack } from '../../src/swarm/remove.js';
import { freePort } from './engine-helpers.js';
import { berth, ensureTestImage, IMAGE, testEngine, waitFor } from './helpers.js';
import { startRegistry } from './registry-helpers.js';
import type { TestRegistry } from './registry-helpers.js';
import { docker, joinTestSwarm, removePulledImages, swarmState } from './swarm-helpers.js';
import type { TestSwarm } from './swarm-helpers.js';

const ON_BERTH = process.env.BERTH_TEST_ENGINE === 'berth';
const SLEEPER = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]`;

test('deploy to an engine that is not a swarm manager says how to make one, exit 1, no stack trace', { timeout: 60_000, skip: !ON_BERTH && swarmState() !== 'inactive false' && 'dockerd is in a swarm' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-swarm-'));
  try {
    writeFileSync(join(dir, 'compose.yaml'), `name: e2e-noswarm\nservices:\n  web: {image: ${IMAGE}}\n`);
    const result = await berth(['deploy'], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /is not a swarm manager.*docker swarm init/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('on a single-node swarm', { skip: ON_BERTH && "berth's engine is not a swarm manager" }, () => {
  const stack = `e2e-${randomBytes(4).toString('hex')}`;
  let dir = '';
  let registry: TestRegistry;
  let swarm: TestSwarm | undefined;
  let client: Swarm;
  let digest = '';
  const write = (workerRole: string) =>
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${stack}
services:
  web:
    image: ${registry.host}/stack/busybox:1
    command: ${SLEEPER}
    environment: {ROLE: web}
    secrets: [token]
    configs: [settings]
    stop_grace_period: 1s
  worker:
    image: ${registry.host}/stack/busybox:1
    command: ${SLEEPER}
    environment: {ROLE: ${workerRole}}
    networks: [back]
    privileged: true
    stop_grace_period: 1s
networks:
  back: {attachable: true}
secrets:
  token: {file: ./token.txt}
configs:
  settings: {content: "level=1"}
`,
    );
  const run = (args: readonly string[]) => berth(args, { cwd: dir, timeoutMs: 110_000 });
  const services = async (): Promise<Record<string, SwarmService>> =>
    Object.fromEntries((await client.services({ label: [`com.docker.stack.namespace=${stack}`] })).map((service) => [service.spec.Name, service]));
  const versions = async () => Object.fromEntries(Object.entries(await services()).map(([name, service]) => [name, service.version]));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `berth-${stack}-`));
    writeFileSync(join(dir, 'token.txt'), 's3cret\n');
    registry = await startRegistry();
    digest = registry.seed('stack/busybox:1', 'one');
    swarm = joinTestSwarm();
    client = swarmOf(await testEngine(), createCredentials({ environment: process.env, homeDir: tmpdir() }));
    write('worker');
  });

  after(async () => {
    try {
      if (client) await removeStack(client, stack, { step: () => {} }).catch(() => {});
    } finally {
      try {
        swarm?.leave();
      } finally {
        if (registry) removePulledImages(registry.host);
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('deploy creates the services, networks, secret and config, images pinned to digests, and --wait sees them converge', { timeout: 120_000 }, async () => {
    const result = await run(['deploy', '--wait', '--wait-timeout', '90']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /service "worker": privileged is not supported by swarm services and is ignored/);
    const found = await services();
    assert.deepEqual(Object.keys(found).sort(), [`${stack}_web`, `${stack}_worker`]);
    const web = found[`${stack}_web`]!;
    assert.equal(web.spec.Labels?.['com.docker.stack.namespace'], stack);
    assert.equal(web.spec.Labels?.['com.docker.stack.image'], `${registry.host}/stack/busybox:1`);
    assert.equal((web.spec.TaskTemplate.ContainerSpec as { Image: string }).Image, `${registry.host}/stack/busybox:1@${digest}`);
    const networks = await client.networks({ label: [`com.docker.stack.namespace=${stack}`] });
    assert.deepEqual(networks.map((network) => `${network.name} ${network.driver}`).sort(), [`${stack}_back overlay`, `${stack}_default overlay`]);
    assert.match((await client.list('secrets', { label: [`com.docker.stack.namespace=${stack}`] }))[0]?.name ?? '', new RegExp(`^${stack}_token-[0-9a-f]{12}$`));
    assert.match((await client.list('configs', { label: [`com.docker.stack.namespace=${stack}`] }))[0]?.name ?? '', new RegExp(`^${stack}_settings-[0-9a-f]{12}$`));
  });

  test('an unchanged deploy updates nothing: no service version changes', { timeout: 60_000 }, async () => {
    const before = await versions();
    const result = await run(['deploy']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Service ${stack}_web is up to date`));
    assert.doesNotMatch(result.stdout, /Updating|Creating/);
    assert.deepEqual(await versions(), before);
  });

  test('--dry-run prints the spec it would send and changes nothing', { timeout: 60_000 }, async () => {
    write('dry');
    const before = await versions();
    const result = await run(['deploy', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`DRY-RUN: Updating service ${stack}_worker \\(changed: TaskTemplate.ContainerSpec.Env\\)`));
    assert.match(result.stdout, /"ROLE=dry"/);
    assert.deepEqual(await versions(), before);
  });

  test('a changed service is the only one updated, and --wait sees it roll', { timeout: 120_000 }, async () => {
    write('worker-2');
    const before = await versions();
    const result = await run(['deploy', '--wait', '--wait-timeout', '90']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const now = await versions();
    assert.equal(now[`${stack}_web`], before[`${stack}_web`]);
    assert.notEqual(now[`${stack}_worker`], before[`${stack}_worker`]);
    const worker = (await services())[`${stack}_worker`]!;
    assert.deepEqual((worker.spec.TaskTemplate.ContainerSpec as { Env: string[] }).Env, ['ROLE=worker-2']);
  });

  test('stack ps lists the tasks with their states; stack ls lists the stack', { timeout: 60_000 }, async () => {
    const ps = await run(['stack', 'ps', stack]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR/);
    assert.match(ps.stdout, new RegExp(`${stack}_web\\.1\\s+\\S+\\s+\\S+\\s+Running\\s+Running`));
    const ls = await run(['stack', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`^${stack}\\s+2$`, 'm'));
  });

  test('--wait reports the service whose tasks fail, with the task error, exit 1', { timeout: 120_000 }, async () => {
    const failing = mkdtempSync(join(tmpdir(), 'berth-swarm-fail-'));
    try {
      writeFileSync(join(failing, 'compose.yaml'), `name: ${stack}-fail\nservices:\n  boom:\n    image: ${registry.host}/stack/busybox:1\n    command: ["sh", "-c", "exit 3"]\n    restart: "no"\n`);
      const result = await berth(['deploy', '--wait', '--wait-timeout', '90'], { cwd: failing, timeoutMs: 110_000 });
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, new RegExp(`the stack ${stack}-fail did not converge:\n  ${stack}-fail_boom: 0/1 running; last failed task \\w+: failed: `));
      assert.match(result.stderr, /non-zero exit \(3\)/);
    } finally {
      await removeStack(client, `${stack}-fail`, { step: () => {} }).catch(() => {});
      rmSync(failing, { recursive: true, force: true });
    }
  });

  test("docker's own stack commands see berth's stack", { timeout: 60_000 }, () => {
    const ls = docker(['stack', 'ls', '--format', '{{.Name}} {{.Services}}']);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`^${stack} 2$`, 'm'));
    const ps = docker(['stack', 'ps', stack, '--format', '{{.Name}} {{.DesiredState}}']);
    assert.equal(ps.status, 0, ps.stderr);
    assert.match(ps.stdout, new RegExp(`^${stack}_web\\.1 Running$`, 'm'));
  });

  test('a secret whose content changed becomes a new version: the step says what it replaces, the service rolls onto it, the old one goes', { timeout: 60_000 }, async () => {
    const filter = { label: [`com.docker.stack.namespace=${stack}`] };
    const [old] = await client.list('secrets', filter);
    writeFileSync(join(dir, 'token.txt'), 'rotated\n');
    const result = await run(['deploy']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, new RegExp(`Creating secret ${stack}_token-[0-9a-f]{12} \\(the content of "token" changed: it replaces ${old!.name}, and the services using it roll onto it\\)`));
    assert.match(result.stdout, new RegExp(`Updating service ${stack}_web \\(changed: TaskTemplate.ContainerSpec.Secrets\\)`));
    const now = await client.list('secrets', filter);
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.name, old!.name);
    const web = (await services())[`${stack}_web`]!;
    assert.equal((web.spec.TaskTemplate.ContainerSpec as { Secrets: Array<{ SecretName: string }> }).Secrets[0]!.SecretName, now[0]!.name);
  });

  test('a deploy refused partway is rolled back: new objects removed, updated services back to their previous spec, and the error says so', { timeout: 120_000 }, async () => {
    const filter = { label: [`com.docker.stack.namespace=${stack}`] };
    const envs = async () => Object.fromEntries(Object.entries(await services()).map(([name, service]) => [name, (service.spec.TaskTemplate.ContainerSpec as { Env?: string[] }).Env]));
    const before = await envs();
    const configsBefore = (await client.list('configs', filter)).map((config) => config.name);
    const service = (name: string, extra: string) => `  ${name}:\n    image: ${registry.host}/stack/busybox:1\n    command: ${SLEEPER}\n    stop_grace_period: 1s\n${extra}`;
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${stack}
services:
${service('api', '    networks: [extra]\n    configs: [more]\n')}
${service('web', '    environment: {ROLE: web-changed}\n    secrets: [token]\n    configs: [settings]\n')}
${service('worker', '    environment: {ROLE: worker-changed}\n    networks: [back]\n')}
${service('zbroken', '    deploy: {placement: {constraints: ["no operator here"]}}\n')}
${service('zz', '')}
networks:
  back: {attachable: true}
  extra: {}
secrets:
  token: {file: ./token.txt}
configs:
  settings: {content: "level=1"}
  more: {content: "more=1"}
`,
    );
    const result = await run(['deploy']);
    assert.equal(result.code, 1, result.stdout);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.match(result.stderr, new RegExp(`Creating service ${stack}_zbroken failed: .*constraint`));
    assert.match(
      result.stderr,
      new RegExp(
        `rolled back: rolled service ${stack}_worker back to its previous spec; rolled service ${stack}_web back to its previous spec; ` +
          `removed service ${stack}_api; removed config ${stack}_more-[0-9a-f]{12}; removed network ${stack}_extra\n` +
          `the swarm is as it was before this deploy\nthe 1 step after it was not carried out`,
      ),
    );
    assert.deepEqual(Object.keys(await services()).sort(), [`${stack}_web`, `${stack}_worker`]);
    assert.deepEqual(await envs(), before);
    assert.deepEqual((await client.list('configs', filter)).map((config) => config.name), configsBefore);
    // Gone from this node too (its copy outlives the manager's network while a task holds it): a deploy right after must create it again.
    assert.deepEqual((await client.networks({})).filter((network) => network.name === `${stack}_extra`), []);
    write('worker-2');
  });

  test('a secret the swarm refuses (over its 500 KiB limit) rolls back the network created before it', { timeout: 60_000 }, async () => {
    const filter = { label: [`com.docker.stack.namespace=${stack}`] };
    // A network name of its own: this node may still show, for a moment, the one the test before rolled back.
    const versionsBefore = await versions();
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(600 * 1024, 1));
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${stack}\nservices:\n  api:\n    image: ${registry.host}/stack/busybox:1\n    networks: [spare]\n    secrets: [big]\nnetworks:\n  spare: {}\nsecrets:\n  big: {file: ./big.bin}\n`,
    );
    try {
      const result = await run(['deploy']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, new RegExp(`Creating secret ${stack}_big-[0-9a-f]{12} failed: .*\nrolled back: removed network ${stack}_spare\nthe swarm is as it was before this deploy\nthe 1 step after it was not carried out`));
      assert.deepEqual(await versions(), versionsBefore);
      assert.equal((await client.list('secrets', filter)).filter((secret) => secret.name.startsWith(`${stack}_big-`)).length, 0);
      assert.deepEqual((await client.networks({})).filter((network) => network.name === `${stack}_spare`), []);
    } finally {
      rmSync(join(dir, 'big.bin'), { force: true });
      write('worker-2');
    }
  });

  test('a port another stack publishes is refused before anything is sent, naming the stack, the service and the port', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const other = mkdtempSync(join(tmpdir(), 'berth-swarm-ports-'));
    const clash = mkdtempSync(join(tmpdir(), 'berth-swarm-clash-'));
    try {
      // No replicas: the port is held by the service all the same, and no task touches the host's network.
      writeFileSync(join(other, 'compose.yaml'), `name: ${stack}-ports\nservices:\n  web:\n    image: ${registry.host}/stack/busybox:1\n    ports: ["${port}:80"]\n    deploy: {replicas: 0}\n`);
      const held = await berth(['deploy'], { cwd: other, timeoutMs: 55_000 });
      assert.equal(held.code, 0, held.stderr);
      writeFileSync(
        join(clash, 'compose.yaml'),
        `name: ${stack}-clash\nservices:\n  a: {image: ${registry.host}/stack/busybox:1, deploy: {replicas: 0}}\n  b: {image: ${registry.host}/stack/busybox:1, ports: ["${port}:8080"], deploy: {replicas: 0}}\n`,
      );
      const result = await berth(['deploy'], { cwd: clash, timeoutMs: 55_000 });
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, new RegExp(`port ${port}/tcp of service "b" is already published by service ${stack}-ports_web \\(of stack ${stack}-ports\\)\nnothing was deployed`));
      assert.deepEqual(await client.services({ label: [`com.docker.stack.namespace=${stack}-clash`] }), []);
      assert.deepEqual(await client.networks({ label: [`com.docker.stack.namespace=${stack}-clash`] }), []);
    } finally {
      await removeStack(client, `${stack}-ports`, { step: () => {} }).catch(() => {});
      await removeStack(client, `${stack}-clash`, { step: () => {} }).catch(() => {});
      rmSync(other, { recursive: true, force: true });
      rmSync(clash, { recursive: true, force: true });
    }
  });

  test('deploy --push pushes an image built here to its registry first and deploys it pinned to the pushed digest', { timeout: 90_000 }, async () => {
    await ensureTestImage();
    const built = `${registry.host}/stack/built:1`;
    const local = mkdtempSync(join(tmpdir(), 'berth-swarm-push-'));
    const tagged = docker(['tag', IMAGE, built]);
    assert.equal(tagged.status, 0, tagged.stderr);
    try {
      writeFileSync(join(local, 'Dockerfile'), `FROM ${IMAGE}\n`);
      writeFileSync(join(local, 'compose.yaml'), `name: ${stack}-push\nservices:\n  app:\n    build: .\n    image: ${built}\n    deploy: {replicas: 0}\n`);
      const refused = await berth(['deploy'], { cwd: local, timeoutMs: 55_000 });
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /exists only on this engine: push it .*berth deploy --push/);
      const result = await berth(['deploy', '--push'], { cwd: local, timeoutMs: 80_000 });
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, new RegExp(`Pushing image ${built}\n`));
      assert.deepEqual(await registry.tags('stack/built'), ['1']);
      const pushed = await registry.api('HEAD', '/v2/stack/built/manifests/1', undefined, { accept: 'application/vnd.docker.distribution.manifest.v2+json' });
      const [app] = await client.services({ label: [`com.docker.stack.namespace=${stack}-push`] });
      assert.equal((app!.spec.TaskTemplate.ContainerSpec as { Image: string }).Image, `${built}@${pushed.headers.get('docker-content-digest')}`);
    } finally {
      await removeStack(client, `${stack}-push`, { step: () => {} }).catch(() => {});
      docker(['rmi', built], 20_000);
      rmSync(local, { recursive: true, force: true });
    }
  });

  test('an image that is only on this engine is a clear error: push it first', { timeout: 60_000 }, async () => {
    await ensureTestImage();
    const local = mkdtempSync(join(tmpdir(), 'berth-swarm-local-'));
    try {
      writeFileSync(join(local, 'compose.yaml'), `name: ${stack}-local\nservices:\n  web: {image: ${IMAGE}}\n`);
      const result = await berth(['deploy'], { cwd: local, timeoutMs: 55_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /image berth-test-busybox:latest could not be resolved to a registry digest/);
      assert.match(result.stderr, /exists only on this engine: push it/);
      assert.deepEqual(await client.services({ label: [`com.docker.stack.namespace=${stack}-local`] }), []);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  test('stack rm removes every service, network, secret and config of the stack', { timeout: 60_000 }, async () => {
    const result = await run(['stack', 'rm', stack]);
    assert.equal(result.code, 0, result.stderr);
    const filter = { label: [`com.docker.stack.namespace=${stack}`] };
    assert.deepEqual(await client.services(filter), []);
    assert.deepEqual(await client.list('secrets', filter), []);
    assert.deepEqual(await client.list('configs', filter), []);
    // The manager drops the networks at once; this node lets go of its copies as the tasks' containers end.
    await waitFor(async () => (await client.networks(filter)).length === 0, 30_000);
  });
});
