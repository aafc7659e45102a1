import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProfiles, listProfiles, servicesOfProfiles } from './profiles.js';
import type { Dict } from './tree.js';

const tree: Dict = {
  services: {
    web: { depends_on: { api: { condition: 'service_started', required: true } } },
    api: { profiles: ['backend'], links: ['db'] },
    db: { profiles: ['backend', 'data'] },
    debug: { profiles: ['debug'], depends_on: { web: { required: false } } },
    tools: { profiles: ['debug'] },
  },
};
const names = (result: { tree: Dict }): string[] => Object.keys(result.tree.services as Dict).sort();

test('without active profiles only services without profiles are active', () => {
  const result = applyProfiles(tree, [], []);
  assert.deepEqual(names(result), ['web']);
  assert.deepEqual(result.disabled, ['api', 'db', 'debug', 'tools']);
});

test('an active profile enables its services; * enables all', () => {
  assert.deepEqual(names(applyProfiles(tree, ['backend'], [])), ['api', 'db', 'web']);
  assert.deepEqual(names(applyProfiles(tree, ['*'], [])), ['api', 'db', 'debug', 'tools', 'web']);
});

test('a service named on the command line is enabled with what it needs, whatever their profiles', () => {
  assert.deepEqual(names(applyProfiles(tree, [], ['web'])), ['api', 'db', 'web']);
  assert.deepEqual(names(applyProfiles(tree, [], ['debug'])), ['debug', 'web']);
});

test('naming an unknown service is a not-found error', () => {
  assert.throws(() => applyProfiles(tree, [], ['nope']), /no such service: nope/);
});

test('listProfiles lists every profile once, sorted', () => {
  assert.deepEqual(listProfiles(tree), ['backend', 'data', 'debug']);
});

test('servicesOfProfiles: those of the active profiles, of every profile when none is active, never unprofiled ones', () => {
  const services = { core: {}, debug: { profiles: ['debug'] }, tools: { profiles: ['tools', 'extra'] } };
  assert.deepEqual(servicesOfProfiles(services, ['debug']), ['debug']);
  assert.deepEqual(servicesOfProfiles(services, ['extra', 'debug']), ['debug', 'tools']);
  assert.deepEqual(servicesOfProfiles(services, []), ['debug', 'tools']);
  assert.deepEqual(servicesOfProfiles(services, ['*']), ['debug', 'tools']);
  assert.deepEqual(servicesOfProfiles(services, ['none']), []);
});
