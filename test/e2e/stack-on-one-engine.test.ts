// A swarm stack file brought up with `berth up -f docker-stack.yml` on an engine that is not a swarm manager (dockerd
// here is not one; berth's engine never is): what only a swarm can do is adapted or set aside, each said once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLEEPER, testEngine, testProject } from './helpers.js';

const STACK = `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    networks: [front]
    deploy:
      replicas: 2
      endpoint_mode: vip
      update_config: { parallelism: 1, failure_action: rollback }
      placement: { constraints: ["node.role == worker"] }
  api:
    image: \${IMAGE}
    command: ${SLEEPER}
    networks: [front, back]
    deploy:
      update_config: { failure_action: rollback }
      placement: { constraints: ["node.role == worker", "node.labels.pcidss == yes"] }
networks:
  front:
    driver: overlay
  back:
    driver: overlay
    driver_opts: { encrypted: "yes" }
`;

test('a stack file comes up on one engine: overlay networks as bridges, replicas honoured, each swarm-only key warned once', async (t) => {
  const project = await testProject(t);
  project.write(STACK, 'docker-stack.yml');
  const up = await project.run(['-f', 'docker-stack.yml', 'up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const containers = await project.containers();
  assert.deepEqual(containers.map((c) => [c.name, c.state]), [
    [`${project.name}-api-1`, 'running'],
    [`${project.name}-web-1`, 'running'],
    [`${project.name}-web-2`, 'running'],
  ]);
  const engine = await testEngine();
  const networks = await engine.networks.list({ label: [`com.docker.compose.project=${project.name}`] });
  assert.deepEqual(networks.map((n) => [n.name, n.driver]).sort(), [[`${project.name}_back`, 'bridge'], [`${project.name}_front`, 'bridge']]);
  const api = containers[0]!;
  assert.deepEqual(Object.keys(api.networks).sort(), [`${project.name}_back`, `${project.name}_front`]);
  const lines = up.stderr.split('\n');
  const once = (pattern: RegExp): void => assert.equal(lines.filter((line) => pattern.test(line)).length, 1, `${pattern} in:\n${up.stderr}`);
  once(/networks back, front use the overlay driver, which needs a swarm manager: created as bridge networks/);
  once(/deploy\.placement is a swarm setting, ignored on an engine that is not a swarm manager \(services api, web\)/);
  once(/deploy\.update_config is a swarm setting, .* \(services api, web\)/);
  once(/deploy\.endpoint_mode is a swarm setting, .* \(services web\)/);
  assert.doesNotMatch(up.stderr, /placement.*will be ignored/);

  const again = await project.run(['-f', 'docker-stack.yml', 'up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await project.containers()).map((c) => c.id), containers.map((c) => c.id), 'an unchanged stack file recreates nothing');
});
