// Every case of fixtures/kubernetes/ and every loadable case of fixtures/model/ (the books' examples among them) is
// converted by the CLI, and each object written must pass the Kubernetes OpenAPI schemas (kubernetes-models, offline)
// and the rules the API server adds on top (names, label keys, references between objects). Cases with
// `expected.yaml` / `expected-warnings.txt` are golden files (`UPDATE_FIXTURES=1` rewrites them).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { runInMemory } from '../cli/run-in-memory.js';
import { apiServerProblems } from './api-rules.test-helper.js';
import type { KubernetesObject } from './manifest.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const home = '/home/fixtures';

interface CaseArgs {
  readonly args?: string[];
  readonly convertArgs?: string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

// The cases whose exact output is kept (UPDATE_FIXTURES rewrites only these).
const GOLDEN = new Set(['kubernetes/atsea-stack', 'kubernetes/kitchen-sink', 'kubernetes/statefulset']);

// The spec's full example gives a container_name to a scaled service, which only the consistency check minds.
const MODEL_CONVERT_ARGS: Readonly<Record<string, string[]>> = { 'model/full-example': ['--no-consistency'] };

const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  ConfigMap,
  Secret,
  PersistentVolumeClaim,
  Service,
  Deployment,
  StatefulSet,
  DaemonSet,
  Job,
  NetworkPolicy,
};

/** Every object against its schema; the first failure names the object. */
export function validateObjects(objects: readonly KubernetesObject[]): void {
  for (const object of objects) {
    const Model = MODELS[object.kind];
    assert.ok(Model, `no schema for kind ${object.kind}`);
    try {
      new Model(object as never).validate();
    } catch (error) {
      assert.fail(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(apiServerProblems(objects), []);
}

function cases(): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  for (const group of ['kubernetes', 'model']) {
    for (const name of readdirSync(join(fixtures, group)).sort()) {
      const dir = join(fixtures, group, name);
      if (!statSync(dir).isDirectory()) continue;
      if (existsSync(join(dir, 'args.json')) || readdirSync(dir).some((file) => /compose\.ya?ml$|stack\.ya?ml$/.test(file))) out.push({ name: `${group}/${name}`, dir });
    }
  }
  return out;
}

for (const { name, dir } of cases()) {
  // The model fixtures that exist to fail loading have nothing to convert.
  if (name.startsWith('model/bad-')) continue;
  test(`${name}: convert --to kubernetes writes objects Kubernetes accepts`, async () => {
    const spec: CaseArgs = existsSync(join(dir, 'args.json')) ? JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8')) : {};
    const cwd = spec.cwd ? join(dir, spec.cwd) : dir;
    const result = await runInMemory([...(spec.args ?? []), 'convert', '--to', 'kubernetes', ...(spec.convertArgs ?? MODEL_CONVERT_ARGS[name] ?? [])], cwd, { HOME: home, ...spec.env });
    assert.equal(result.code, 0, result.stderr);
    const objects = parseAllDocuments(result.stdout).map((document) => document.toJS() as KubernetesObject);
    assert.ok(objects.length > 0, 'no objects written');
    validateObjects(objects);
    const golden = (file: string, actual: string): void => {
      const path = join(dir, file);
      const text = actual.replaceAll(dir, '<dir>');
      if (process.env.UPDATE_FIXTURES && GOLDEN.has(name)) writeFileSync(path, text);
      if (existsSync(path)) assert.equal(text, readFileSync(path, 'utf8'));
    };
    golden('expected.yaml', result.stdout);
    golden('expected-warnings.txt', result.stderr);
  });
}
