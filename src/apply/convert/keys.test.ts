import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { DEPLOY_KEYS, SERVICE_KEYS, ignoredKeyWarnings } from './keys.js';

// The spec's schema: the copy shipped with berth, else the shared reference one.
const SCHEMA_CANDIDATES = [
  fileURLToPath(new URL('../../../schemas/compose-spec.json', import.meta.url)),
  '/work/shared/reference/compose-spec.json',
];
const schemaFile = SCHEMA_CANDIDATES.find((file) => existsSync(file));

test('every service key of the Compose Specification has a disposition', { skip: schemaFile === undefined && 'compose-spec.json not found' }, () => {
  const schema = JSON.parse(readFileSync(schemaFile as string, 'utf8')) as {
    definitions: { service: { properties: Record<string, unknown> }; deployment: { properties: Record<string, unknown> } };
  };
  const missing = Object.keys(schema.definitions.service.properties).filter((key) => !(key in SERVICE_KEYS));
  assert.deepEqual(missing, []);
  const missingDeploy = Object.keys(schema.definitions.deployment.properties).filter((key) => !(key in DEPLOY_KEYS));
  assert.deepEqual(missingDeploy, []);
});

test('keys the engine cannot express are warned about by name; converted and elsewhere-used keys are not', () => {
  assert.deepEqual(
    ignoredKeyWarnings({
      name: 'web',
      image: 'nginx',
      build: { context: '.' },
      depends_on: {},
      secrets: [{ source: 's' }],
      configs: [{ source: 'c' }],
      develop: {},
      credential_spec: { file: 'x' },
      'x-custom': 1,
      made_up: true,
      deploy: { replicas: 2, placement: { constraints: [] }, resources: {}, update_config: {} },
    }),
    [
      'service "web": credential_spec applies to Windows Swarm services only and will be ignored',
      'service "web": made_up is not supported by berth and will be ignored',
      'service "web": deploy.placement is a Swarm setting and will be ignored',
      'service "web": deploy.update_config is a Swarm setting and will be ignored',
    ],
  );
});
