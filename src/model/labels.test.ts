import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerLabels, containerName } from './labels.js';

test('container names: <project>-<service>-<n>, _ with --compatibility, container_name wins', () => {
  assert.equal(containerName('demo', 'web', 2), 'demo-web-2');
  assert.equal(containerName('demo', 'web', 2, { compatibility: true }), 'demo_web_2');
  assert.equal(containerName('demo', 'web', 1, { containerName: 'mine' }), 'mine');
});

test('container labels are the ones compose writes, user labels under them', () => {
  const labels = containerLabels({
    project: 'demo',
    service: 'web',
    number: 1,
    configHash: 'abc',
    imageDigest: 'sha256:1',
    workingDir: '/src',
    configFiles: ['/src/compose.yaml', '/src/compose.override.yaml'],
    version: '0.1.0',
    dependsOn: ['db:service_started:false'],
    replaces: 'demo-web-1',
    userLabels: { 'com.docker.compose.project': 'spoofed', team: 'a' },
  });
  assert.deepEqual(labels, {
    team: 'a',
    'com.docker.compose.project': 'demo',
    'com.docker.compose.service': 'web',
    'com.docker.compose.version': '0.1.0',
    'com.docker.compose.project.working_dir': '/src',
    'com.docker.compose.project.config_files': '/src/compose.yaml,/src/compose.override.yaml',
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.config-hash': 'abc',
    'com.docker.compose.container-number': '1',
    'com.docker.compose.depends_on': 'db:service_started:false',
    'com.docker.compose.image': 'sha256:1',
    'com.docker.compose.replace': 'demo-web-1',
  });
});
