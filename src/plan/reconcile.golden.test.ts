// Golden tests for the planner: each `fixtures/plan/<case>/` has compose files, the observed state in
// `observed.json` (containers with `"hash": "current"` carry the hash the files give, anything else differs),
// optional `options.json`, and `expected.txt`: the plan's steps, then its graph. `UPDATE_FIXTURES=1` rewrites them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { networkConfigHash, serviceConfigHash, volumeConfigHash } from '../model/hash.js';
import { loadModel } from '../model/load.js';
import type { Dict } from '../model/tree.js';
import { bindProject } from '../model/types.js';
import type { Project } from '../model/types.js';
import type { ObservedContainer, ObservedResource, ObservedState } from '../observe/observe.js';
import { LABEL } from './labels.js';
import { reconcile } from './reconcile.js';
import type { ReconcileOptions } from './reconcile.js';
import { renderPlanGraph, renderPlanSteps } from './render.js';

const root = fileURLToPath(new URL('../../fixtures/plan', import.meta.url));

interface ObservedSpec {
  containers?: Array<{ service: string; number: number; state: string; hash: string; oneoff?: boolean; networks?: string[] }>;
  networks?: Record<string, { hash: string }>;
  volumes?: Record<string, { hash: string }>;
}

function observedState(project: Project, spec: ObservedSpec): ObservedState {
  const networks: Record<string, ObservedResource> = {};
  for (const [key, { hash }] of Object.entries(spec.networks ?? {})) {
    const network = project.networks[key] ?? {};
    const name = network.name ?? `${project.name}_${key}`;
    networks[key] = { key, id: `net-${key}`, name, configHash: hash === 'current' ? networkConfigHash(network as Dict) : hash, project: project.name };
  }
  const volumes: Record<string, ObservedResource> = {};
  for (const [key, { hash }] of Object.entries(spec.volumes ?? {})) {
    const volume = project.volumes[key] ?? {};
    const name = volume.name ?? `${project.name}_${key}`;
    volumes[key] = { key, id: name, name, configHash: hash === 'current' ? volumeConfigHash(volume as Dict) : hash, project: project.name };
  }
  const containers: ObservedContainer[] = (spec.containers ?? []).map((entry, index) => {
    const service = project.services[entry.service];
    const name = entry.oneoff ? `${project.name}-${entry.service}-run-1` : `${project.name}-${entry.service}-${entry.number}`;
    const attached = entry.networks ?? Object.keys(service?.networks ?? {});
    return {
      id: `${String(index + 1).padStart(2, '0')}${'c'.repeat(62)}`,
      name,
      service: entry.service,
      number: entry.number,
      oneoff: entry.oneoff ?? false,
      state: entry.state,
      created: 1000 + index,
      configHash: entry.hash === 'current' && service ? serviceConfigHash(service as unknown as Dict) : entry.hash,
      imageDigest: '',
      labels: { [LABEL.project]: project.name, [LABEL.service]: entry.service },
      networks: Object.fromEntries(attached.map((key) => [networks[key]?.name ?? key, networks[key]?.id ?? key])),
      mounts: [],
      image: 'busybox',
    };
  });
  return { project: project.name, containers, networks, volumes, images: {} };
}

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'observed.json'))) continue;
  test(`plan: ${name}`, () => {
    const project = bindProject(loadModel({ cwd: dir, environment: { HOME: '/home/plan' }, warn: () => {} }));
    const spec = JSON.parse(readFileSync(join(dir, 'observed.json'), 'utf8')) as ObservedSpec;
    const options: ReconcileOptions = existsSync(join(dir, 'options.json')) ? JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) : {};
    const plan = reconcile(project, observedState(project, spec), options);
    const text = [...renderPlanSteps(plan), '', ...renderPlanGraph(plan), '', ...plan.warnings.map((w) => `warning: ${w}`)].join('\n').trimEnd() + '\n';
    const expectedFile = join(dir, 'expected.txt');
    if (process.env.UPDATE_FIXTURES) writeFileSync(expectedFile, text);
    assert.equal(text, readFileSync(expectedFile, 'utf8'));
  });
}
