import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../model/types.js';
import { convertRestart } from './restart.js';

function run(service: ServiceConfig) {
  const warnings: string[] = [];
  return { ...convertRestart(service, undefined, (w) => warnings.push(w)), warnings };
}

test('restart words map to the engine policy; on-failure takes a retry count', () => {
  assert.deepEqual(run({ name: 'web', restart: 'no' }).host, { RestartPolicy: { Name: 'no' } });
  assert.deepEqual(run({ name: 'web', restart: 'always' }).host, { RestartPolicy: { Name: 'always' } });
  assert.deepEqual(run({ name: 'web', restart: 'unless-stopped' }).host, { RestartPolicy: { Name: 'unless-stopped' } });
  assert.deepEqual(run({ name: 'web', restart: 'on-failure' }).host, { RestartPolicy: { Name: 'on-failure' } });
  assert.deepEqual(run({ name: 'web', restart: 'on-failure:3' }).host, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
  assert.deepEqual(run({ name: 'web' }), { warnings: [] });
});

test('deploy.restart_policy wins, with Swarm words translated', () => {
  assert.deepEqual(
    run({ name: 'web', restart: 'always', deploy: { restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: 3, window: '2m0s' } } }),
    {
      host: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } },
      warnings: [
        'service "web": deploy.restart_policy.delay is a Swarm setting and will be ignored',
        'service "web": deploy.restart_policy.window is a Swarm setting and will be ignored',
      ],
    },
  );
  assert.deepEqual(run({ name: 'web', deploy: { restart_policy: { condition: 'any' } } }).host, { RestartPolicy: { Name: 'always' } });
  assert.deepEqual(run({ name: 'web', deploy: { restart_policy: { condition: 'none' } } }).host, { RestartPolicy: { Name: 'no' } });
});
