import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInMemory } from './run-in-memory.js';

function project(compose: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-convert-'));
  writeFileSync(join(dir, 'compose.yaml'), compose);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const WEB = 'name: shop\nservices:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n    secrets: [token]\nsecrets:\n  token:\n    file: ./token.txt\n';

test('convert --to kubernetes -o DIR writes one file per object (Secrets readable by their owner only) and nothing on stdout', async () => {
  const { dir, done } = project(WEB);
  try {
    writeFileSync(join(dir, 'token.txt'), 's3cret');
    const result = await runInMemory(['convert', '--to', 'kubernetes', '-o', 'k8s'], dir, { HOME: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const out = join(dir, 'k8s');
    assert.deepEqual(readdirSync(out).sort(), ['default-network-networkpolicy.yaml', 'token-secret.yaml', 'web-deployment.yaml', 'web-published-networkpolicy.yaml', 'web-service.yaml']);
    assert.equal(statSync(join(out, 'token-secret.yaml')).mode & 0o777, 0o600);
  } finally {
    done();
  }
});

test('what cannot be converted is one warning line each on stderr; the rest is still written', async () => {
  const { dir, done } = project(WEB);
  try {
    const result = await runInMemory(['convert', '--to', 'kubernetes'], dir, { HOME: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^WARN\[0000\] secret "token": the file .*token\.txt cannot be read \(ENOENT\): not converted$/m);
    assert.match(result.stdout, /kind: Deployment/);
    assert.doesNotMatch(result.stdout, /secretName/);
  } finally {
    done();
  }
});

test('--apply without a configured cluster fails with a clear message and no stack trace', async () => {
  const { dir, done } = project(WEB.replace(/    secrets: \[token\]\n/, ''));
  try {
    const result = await runInMemory(['convert', '--to', 'kubernetes', '--apply'], dir, { HOME: dir });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--apply needs a Kubernetes cluster, and no kubeconfig was found/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(result.stdout, '');
  } finally {
    done();
  }
});

test('bad requests: an unknown target, Kubernetes options without --to, names that clash', async () => {
  const { dir, done } = project('services:\n  my_app: { image: a }\n  my.app: { image: b }\n');
  try {
    const unknown = await runInMemory(['convert', '--to', 'nomad'], dir, { HOME: dir });
    assert.match(unknown.stderr, /unsupported target "nomad": expected one of kubernetes/);
    const orphan = await runInMemory(['config', '--apply'], dir, { HOME: dir });
    assert.match(orphan.stderr, /--apply, --statefulset and --volume-size need --to kubernetes/);
    const size = await runInMemory(['convert', '--to', 'kubernetes', '--volume-size', 'lots'], dir, { HOME: dir });
    assert.match(size.stderr, /invalid --volume-size "lots"/);
    const clash = await runInMemory(['convert', '--to', 'kubernetes'], dir, { HOME: dir });
    assert.match(clash.stderr, /service "my_app" and "my.app" both become "my-app" in Kubernetes: rename one of them/);
    for (const result of [unknown, orphan, size, clash]) assert.notEqual(result.code, 0);
  } finally {
    done();
  }
});
