// Scenario tests of `ps --format` (table, json, Go templates) and `ls --format`, as docker compose prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLEEPER, testProject } from './helpers.js';

test('ps --format: table, json and Go templates show the project\'s containers; a bad template is refused', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    ports: ["127.0.0.1::80"]
    labels: { tier: front }
`);
  assert.equal((await project.run(['up', '-d'])).code, 0);
  const [container] = await project.containers();
  const published = container!.ports.find((port) => port.publicPort)!.publicPort!;

  const table = await project.run(['ps', '--format', 'table {{.Service}}\\t{{.State}}\\t{{.Label "tier"}}']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^SERVICE {3}STATE {5}tier\nweb {7}running {3}front\n$/);

  const template = await project.run(['ps', '--format', '{{.Name}} {{range .Publishers}}{{.URL}}:{{.PublishedPort}}->{{.TargetPort}}{{end}}']);
  assert.equal(template.stdout, `${project.name}-web-1 127.0.0.1:${published}->80\n`);

  const json = JSON.parse((await project.run(['ps', '--format', 'json'])).stdout);
  assert.equal(json.Name, `${project.name}-web-1`);
  assert.equal(json.Project, project.name);
  assert.equal(json.State, 'running');
  assert.equal(json.ID, container!.id.slice(0, 12));
  assert.deepEqual(json.Publishers, [{ URL: '127.0.0.1', TargetPort: 80, PublishedPort: published, Protocol: 'tcp' }]);

  const bad = await project.run(['ps', '--format', '{{.Nope}}']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /failed to execute template: .*can't evaluate field Nope/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');

  const ls = await project.run(['ls', '--format', 'json', '--filter', `name=${project.name}`]);
  assert.deepEqual(JSON.parse(ls.stdout).map((entry: { Name: string; Status: string }) => [entry.Name, entry.Status]), [[project.name, 'running(1)']]);
  assert.match((await project.run(['ls', '--format', '{{.Name}}'])).stderr, /format value "\{\{\.Name\}\}" could not be parsed/);
});
