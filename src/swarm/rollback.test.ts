import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceSpec } from '../engine-client/swarm.js';
import { failureMessage } from './apply.js';
import type { DeployOperation } from './plan.js';
import { planRollback } from './rollback.js';

const spec = (name: string): ServiceSpec => ({ Name: `shop_${name}`, TaskTemplate: { ContainerSpec: { Image: 'r/web:1@sha256:aa' } } });
const network: DeployOperation = { kind: 'create-network', network: { key: 'back', name: 'shop_back', external: false, create: { Name: 'shop_back', Driver: 'overlay', Labels: {} } } };
const secret: DeployOperation = { kind: 'create-file-object', object: { kind: 'secrets', key: 't', name: 'shop_t-1', external: false, labels: {}, data: Buffer.from('x') } };
const update: DeployOperation = { kind: 'update-service', key: 'web', id: 'w1', version: 7, spec: spec('web'), changed: ['TaskTemplate.ContainerSpec.Env'] };
const create: DeployOperation = { kind: 'create-service', key: 'api', spec: spec('api') };
const broken: DeployOperation = { kind: 'create-service', key: 'broken', spec: spec('broken') };

test('a rollback undoes the steps newest first: new services removed, updated ones rolled back, then the secrets and networks they used', () => {
  const plan = planRollback([
    { operation: network, createdId: 'n1' },
    { operation: secret, createdId: 's1' },
    { operation: update },
    { operation: create, createdId: 'a1' },
  ]);
  assert.deepEqual(plan.steps, [
    { kind: 'remove-service', name: 'shop_api', id: 'a1' },
    { kind: 'rollback-service', name: 'shop_web', id: 'w1' },
    { kind: 'remove-file-object', objectKind: 'secrets', name: 'shop_t-1', id: 's1' },
    { kind: 'remove-network', name: 'shop_back', id: 'n1' },
  ]);
  assert.deepEqual(plan.irreversible, []);
});

test('a pruned service cannot be put back: the rollback says so instead of pretending', () => {
  const plan = planRollback([{ operation: { kind: 'remove-service', name: 'shop_old', id: 'o1' } }, { operation: { kind: 'remove-file-object', objectKind: 'configs', name: 'shop_c-0', id: 'c0' } }]);
  assert.deepEqual(plan.steps, []);
  assert.deepEqual(plan.irreversible, ['service shop_old was removed (--prune) and is not put back']);
});

test('the error of a failed deploy names the failed step, what was rolled back, what could not be, and the steps not carried out', () => {
  const rollback = planRollback([{ operation: network, createdId: 'n1' }, { operation: update }]);
  const message = failureMessage(broken, new Error('invalid constraint'), 2, rollback, {
    undone: ['rolled service shop_web back to its previous spec'],
    failed: ['network shop_back: network is in use'],
  });
  assert.equal(
    message,
    [
      'Creating service shop_broken failed: invalid constraint',
      'rolled back: rolled service shop_web back to its previous spec',
      'NOT rolled back: network shop_back: network is in use',
      'the 2 steps after it were not carried out',
      '(fix it and deploy again)',
    ].join('\n'),
  );
});

test('a deploy that fails at its first step says that nothing was changed', () => {
  const message = failureMessage(broken, new Error('refused'), 0, planRollback([]), { undone: [], failed: [] });
  assert.equal(message, 'Creating service shop_broken failed: refused\nnothing was changed before it\n(fix it and deploy again)');
});

test('a fully rolled back deploy says the swarm is as it was', () => {
  const message = failureMessage(broken, new Error('refused'), 1, planRollback([{ operation: create, createdId: 'a1' }]), { undone: ['removed service shop_api'], failed: [] });
  assert.match(message, /^rolled back: removed service shop_api\nthe swarm is as it was before this deploy\nthe 1 step after it was not carried out$/m);
});
