import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEPLOY_KEYS, SERVICE_KEYS, unconvertedKeyWarnings } from './keys.js';

const SCHEMA_CANDIDATES = [fileURLToPath(new URL('../../schemas/compose-spec.json', import.meta.url)), '/work/shared/reference/compose-spec.json'];
const schemaFile = SCHEMA_CANDIDATES.find((file) => existsSync(file));

test('every service and deploy key of the Compose Specification says what Kubernetes conversion does with it', { skip: schemaFile === undefined && 'compose-spec.json not found' }, () => {
  const schema = JSON.parse(readFileSync(schemaFile as string, 'utf8')) as {
    definitions: { service: { properties: Record<string, unknown> }; deployment: { properties: Record<string, unknown> } };
  };
  assert.deepEqual(Object.keys(schema.definitions.service.properties).filter((key) => !Object.hasOwn(SERVICE_KEYS, key)), []);
  assert.deepEqual(Object.keys(schema.definitions.deployment.properties).filter((key) => !Object.hasOwn(DEPLOY_KEYS, key)), []);
});

test('keys without a Kubernetes form are named one line each; converted keys, extensions and unset keys are not', () => {
  assert.deepEqual(
    unconvertedKeyWarnings({
      name: 'web',
      image: 'nginx',
      ports: [],
      links: ['db'],
      ulimits: { nofile: 1 },
      pull_refresh_after: null,
      'x-extra': true,
      made_up: 1,
      deploy: { replicas: 2, update_config: { parallelism: 1 }, resources: {} },
    }),
    [
      'links is not converted: reach other workloads by their Service names',
      'made_up is not known to berth and is not converted',
      'ulimits is not converted (Kubernetes sets no ulimits per pod)',
      'deploy.update_config is not converted (a Deployment rolls out with its own strategy)',
    ],
  );
});
