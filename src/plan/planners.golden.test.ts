// Golden tests for the planners: each `fixtures/plan/<case>/` has compose files, the observed state in
// `observed.json` (containers with `"hash": "current"` carry the hash the files give, anything else differs; `images`
// names the images the engine has), optional `options.json` (`"planner"` picks the verb's planner, reconcile by
// default; the rest are its options), and `expected.txt`: the plan's steps, then its graph, then its warnings (or the
// error planning gave). Every operation must say why it is there. `UPDATE_FIXTURES=1` rewrites them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { networkConfigHash, serviceConfigHash, volumeConfigHash } from '../model/hash.js';
import { DISK } from '../model/files.js';
import { loadFromFiles } from '../model/load-passes.js';
import type { Dict } from '../model/tree.js';
import { bindProject } from '../model/types.js';
import type { Project } from '../model/types.js';
import type { ObservedContainer, ObservedResource, ObservedState } from '../observe/observe.js';
import { planDown } from './down.js';
import type { DownOptions } from './down.js';
import { planBuilds, planImages } from './images.js';
import type { ImagePlanOptions } from './images.js';
import { LABEL } from '../model/labels.js';
import { planContainerAction, planRemove } from './lifecycle.js';
import type { ActionOptions, ContainerAction, RemoveOptions } from './lifecycle.js';
import { reconcile } from './reconcile.js';
import type { ReconcileOptions } from './reconcile.js';
import { renderPlanGraph, renderPlanSteps } from './render.js';
import { planStart } from './start.js';
import type { Plan } from './types.js';

const root = fileURLToPath(new URL('../../fixtures/plan', import.meta.url));

interface ObservedSpec {
  containers?: Array<{ service: string; number: number; state: string; hash: string; oneoff?: boolean; networks?: string[] }>;
  /** `project`: the project that created it, when not this one ("" for one made by hand). */
  networks?: Record<string, { hash: string; project?: string }>;
  volumes?: Record<string, { hash: string; project?: string }>;
  images?: Record<string, string>;
}

type Options = { planner?: string } & Record<string, unknown>;

/** The plan the case's planner makes (reconcile unless options.json names another). */
function planFor(project: Project, observed: ObservedState, { planner = 'reconcile', ...options }: Options): Plan {
  const services = Object.keys(project.services).sort();
  switch (planner) {
    case 'reconcile':
      return reconcile(project, observed, options as ReconcileOptions);
    case 'images':
      return planImages(project, services, observed.images, options as unknown as ImagePlanOptions);
    case 'builds':
      return planBuilds(project, services, options);
    case 'start':
      return planStart(project, observed.containers);
    case 'down':
      return planDown(project, observed, options as unknown as DownOptions);
    case 'rm':
      return planRemove(project, observed.containers, options as unknown as RemoveOptions);
    default:
      return planContainerAction(project, observed.containers, planner as ContainerAction, options as ActionOptions);
  }
}

function observedState(project: Project, spec: ObservedSpec): ObservedState {
  const networks: Record<string, ObservedResource> = {};
  for (const [key, { hash, project: owner }] of Object.entries(spec.networks ?? {})) {
    const network = project.networks[key] ?? {};
    const name = network.name ?? `${project.name}_${key}`;
    networks[key] = { key, id: `net-${key}`, name, configHash: hash === 'current' ? networkConfigHash(network as Dict) : hash, project: owner ?? project.name };
  }
  const volumes: Record<string, ObservedResource> = {};
  for (const [key, { hash, project: owner }] of Object.entries(spec.volumes ?? {})) {
    const volume = project.volumes[key] ?? {};
    const name = volume.name ?? `${project.name}_${key}`;
    volumes[key] = { key, id: name, name, configHash: hash === 'current' ? volumeConfigHash(volume as Dict) : hash, project: owner ?? project.name };
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
  return { project: project.name, containers, networks, volumes, images: spec.images ?? {} };
}

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'observed.json'))) continue;
  test(`plan: ${name}`, () => {
    const project = bindProject(loadFromFiles({ cwd: dir, environment: { HOME: '/home/plan' }, warn: () => {} }, DISK));
    const spec = JSON.parse(readFileSync(join(dir, 'observed.json'), 'utf8')) as ObservedSpec;
    const options: Options = existsSync(join(dir, 'options.json')) ? JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) : {};
    let text: string;
    try {
      const plan = planFor(project, observedState(project, spec), options);
      for (const node of plan.nodes) assert.notEqual(node.operation.cause, '', `#${node.id} ${node.operation.kind} says why it is there`);
      text = [...renderPlanSteps(plan), '', ...renderPlanGraph(plan), '', ...plan.warnings.map((w) => `warning: ${w}`)].join('\n').trimEnd() + '\n';
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      text = `error: ${(error as Error).message}\n`;
    }
    const expectedFile = join(dir, 'expected.txt');
    if (process.env.UPDATE_FIXTURES) writeFileSync(expectedFile, text);
    assert.equal(text, readFileSync(expectedFile, 'utf8'));
  });
}
