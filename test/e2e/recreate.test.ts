// Recreation rules on a real engine: anonymous volumes carried over (not with -V), networks recreated in place,
// restart: true dependents restarted, service: namespaces following their parent.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, succeeded, testEngine, testProject } from './helpers.js';


async function anonymousMountpoint(container: string): Promise<string> {
  const engine = await testEngine();
  const details = await engine.containers.inspect(container);
  const mount = details?.mounts.find((entry) => entry.destination === '/cache');
  assert.ok(mount?.name, 'an anonymous volume on /cache');
  return (await engine.volumes.inspect(mount.name))!.mountpoint;
}

async function removeVolumeAt(mountpoint: string): Promise<void> {
  const engine = await testEngine();
  for (const volume of await engine.volumes.list({})) {
    if (volume.mountpoint === mountpoint) await engine.volumes.remove(volume.name, true).catch(() => {});
  }
}

test('a recreated container keeps its anonymous volumes; -V gives it fresh ones', async (t) => {
  const compose = (value: string) => `
services:
  app:
    image: \${IMAGE}
    command: ["sh", "-c", "test -f /cache/first || echo $$VERSION > /cache/first; trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
    environment:
      VERSION: "${value}"
    volumes: ["/cache"]
`;
  const project = await testProject(t, compose('1'));
  const name = `${project.name}-app-1`;
  succeeded(await project.run(['up', '-d']));
  const first = await anonymousMountpoint(name);
  project.write(compose('2'));
  succeeded(await project.run(['up', '-d']));
  assert.equal(await anonymousMountpoint(name), first, 'the same anonymous volume');
  assert.equal(readFileSync(join(first, 'first'), 'utf8'), '1\n');
  project.write(compose('3'));
  succeeded(await project.run(['up', '-d', '-V']));
  const renewed = await anonymousMountpoint(name);
  assert.notEqual(renewed, first, '-V renews it');
  // The replaced container's anonymous volume is left behind, as docker compose leaves it: the test removes it.
  t.after(() => removeVolumeAt(first));
  assert.ok(existsSync(renewed));
});

test('a network whose configuration changed is recreated and its containers reconnected', async (t) => {
  const compose = (label: string) => `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    networks: [front]
networks:
  front:
    labels: [revision=${label}]
`;
  const project = await testProject(t, compose('1'));
  succeeded(await project.run(['up', '-d']));
  const engine = await testEngine();
  const before = await engine.networks.inspect(`${project.name}_front`);
  const [web] = await project.containers();
  project.write(compose('2'));
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  const after = await engine.networks.inspect(`${project.name}_front`);
  assert.notEqual(after?.id, before?.id);
  assert.equal(after?.labels.revision, '2');
  const details = await engine.containers.inspect(web!.id);
  assert.equal(details?.state.running, true, 'the same container, running again');
  assert.equal(details?.networks[`${project.name}_front`]?.networkId, after?.id);
});

test('a service sharing another one network namespace is recreated with it', async (t) => {
  const compose = (value: string) => `
services:
  app:
    image: \${IMAGE}
    command: ${SLEEPER}
    environment: [REVISION=${value}]
  sidecar:
    image: \${IMAGE}
    command: ${SLEEPER}
    network_mode: service:app
`;
  const project = await testProject(t, compose('1'));
  succeeded(await project.run(['up', '-d']));
  const before = Object.fromEntries((await project.containers()).map((container) => [container.name, container.id]));
  project.write(compose('2'));
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  const after = await project.containers();
  const engine = await testEngine();
  const app = after.find((container) => container.name === `${project.name}-app-1`)!;
  const sidecar = after.find((container) => container.name === `${project.name}-sidecar-1`)!;
  assert.notEqual(app.id, before[app.name]);
  assert.notEqual(sidecar.id, before[sidecar.name]);
  const details = await engine.containers.inspect(sidecar.id);
  assert.equal(details?.state.running, true);
  const raw = await engine.transport.request<{ HostConfig: { NetworkMode: string } }>('GET', `/containers/${sidecar.id}/json`);
  assert.equal(raw.HostConfig.NetworkMode, `container:${app.id}`);
});

test('a volume whose configuration changed is kept without -y, and recreated (with its container) with -y', async (t) => {
  const compose = (label: string) => `
services:
  app:
    image: \${IMAGE}
    command: ["sh", "-c", "test -f /data/marker || echo ${label} > /data/marker; trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
    volumes: [data:/data]
volumes:
  data:
    labels: [revision=${label}]
`;
  const project = await testProject(t, compose('1'));
  const engine = await testEngine();
  succeeded(await project.run(['up', '-d']));
  project.write(compose('2'));
  const kept = await project.run(['up', '-d']);
  assert.equal(kept.code, 0);
  assert.match(kept.stderr, new RegExp(`volume "${project.name}_data" exists but does not match its configuration`));
  assert.equal((await engine.volumes.inspect(`${project.name}_data`))?.labels.revision, '1');
  const recreated = await project.run(['up', '-d', '-y']);
  assert.equal(recreated.code, 0, recreated.stderr);
  const volume = await engine.volumes.inspect(`${project.name}_data`);
  assert.equal(volume?.labels.revision, '2');
  const [app] = await project.containers();
  assert.equal(app?.state, 'running');
});
