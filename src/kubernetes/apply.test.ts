// `--apply` against a stand-in API server on loopback (no cluster is available to the tests): what berth sends
// (server-side apply, field manager, namespace from the kubeconfig context) and how a refusal is reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyObjects, kubeconfigFiles } from './apply.js';
import type { KubernetesObject } from './manifest.js';

const RESOURCES: Record<string, { name: string; kind: string }[]> = {
  '/api/v1': [{ name: 'configmaps', kind: 'ConfigMap' }, { name: 'services', kind: 'Service' }],
  '/apis/apps/v1': [{ name: 'deployments', kind: 'Deployment' }],
};

interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

async function withApiServer(run: (kubeconfig: string, received: Received[]) => Promise<void>): Promise<void> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const path = (request.url ?? '').split('?')[0]!;
      response.setHeader('content-type', 'application/json');
      if (request.method === 'GET' && RESOURCES[path]) {
        response.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: path.replace(/^\/apis?\//, ''), resources: RESOURCES[path]!.map((r) => ({ ...r, namespaced: true, singularName: '', verbs: ['patch'] })) }));
        return;
      }
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      received.push({ method: request.method ?? '', url: request.url ?? '', contentType: String(request.headers['content-type']), body });
      if (path.endsWith('/bad')) {
        response.statusCode = 422;
        response.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1', code: 422 }));
        return;
      }
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'berth-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  const { port } = server.address() as AddressInfo;
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters: [{ name: loop, cluster: { server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true } }]',
    'users: [{ name: me, user: { token: t0ken } }]',
    'contexts: [{ name: test, context: { cluster: loop, user: me, namespace: shop } }]', '',
  ].join('\n'));
  try {
    await run(kubeconfig, received);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const configMap: KubernetesObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site' }, data: { a: 'b' } };
const deployment = (name: string): KubernetesObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1 } });

test('--apply sends each object by server-side apply, field manager berth, in the namespace of the current context', async () => {
  await withApiServer(async (kubeconfig, received) => {
    const lines: string[] = [];
    await applyObjects([configMap, deployment('web')], { environment: { KUBECONFIG: kubeconfig }, report: (line) => lines.push(line) });
    assert.deepEqual(received.map((r) => [r.method, r.url.split('?')[0], r.contentType]), [
      ['PATCH', '/api/v1/namespaces/shop/configmaps/site', 'application/apply-patch+yaml'],
      ['PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', 'application/apply-patch+yaml'],
    ]);
    for (const request of received) assert.match(request.url, /[?&]fieldManager=berth(&|$)/);
    assert.equal((received[1]!.body.metadata as { namespace: string }).namespace, 'shop');
    assert.deepEqual(lines, ['configmap/site serverside-applied (namespace shop, context test)', 'deployment/web serverside-applied (namespace shop, context test)']);
  });
});

test('a refusal by the cluster names the object and says why; nothing after it is sent', async () => {
  await withApiServer(async (kubeconfig, received) => {
    await assert.rejects(
      applyObjects([deployment('bad'), deployment('web')], { environment: { KUBECONFIG: kubeconfig }, report: () => {} }),
      /^BerthError: Deployment bad: the cluster refused it \(HTTP 422\): Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1$/,
    );
    assert.equal(received.length, 1);
  });
});

test('without a kubeconfig --apply is a clear error, not a try at localhost:8080', async () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-home-'));
  try {
    assert.deepEqual(kubeconfigFiles({ HOME: home }), []);
    await assert.rejects(applyObjects([configMap], { environment: { HOME: home }, report: () => {} }), /--apply needs a Kubernetes cluster, and no kubeconfig was found: set KUBECONFIG or create ~\/.kube\/config/);
    writeFileSync(join(home, 'empty'), 'apiVersion: v1\nkind: Config\n');
    await assert.rejects(applyObjects([configMap], { environment: { KUBECONFIG: join(home, 'empty') }, report: () => {} }), /--apply needs a current context with a cluster in .*empty \(kubectl config use-context NAME\)/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
