// `--apply`: send the objects to the cluster of the current kubeconfig context with server-side apply (field
// manager "berth"), in the converter's order. The only module that talks to Kubernetes; @kubernetes/client-node is
// loaded on first use so other verbs do not pay for it. Without a configured cluster it is an error, never a
// silent fallback to localhost:8080 (what the client library does when it finds no config).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BerthError } from '../model/errors.js';
import type { KubernetesObject } from './manifest.js';

export const FIELD_MANAGER = 'berth';

export interface ApplyOptions {
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** One line per object applied (`deployment/web serverside-applied`). */
  readonly report: (line: string) => void;
}

/** The kubeconfig files kubectl would read: $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(environment: Readonly<Record<string, string | undefined>>): string[] {
  const listed = environment.KUBECONFIG;
  if (listed !== undefined && listed !== '') return listed.split(delimiter).filter((file) => file !== '' && existsSync(file));
  const home = environment.HOME ?? homedir();
  const file = join(home, '.kube', 'config');
  return existsSync(file) ? [file] : [];
}

export async function applyObjects(objects: readonly KubernetesObject[], options: ApplyOptions): Promise<void> {
  const k8s = await import('@kubernetes/client-node');
  const files = kubeconfigFiles(options.environment);
  if (files.length === 0) {
    throw new BerthError('--apply needs a Kubernetes cluster, and no kubeconfig was found: set KUBECONFIG or create ~/.kube/config (e.g. `kubectl config set-cluster`), or leave out --apply to write the manifests', { kind: 'not-found' });
  }
  const config = new k8s.KubeConfig();
  for (const file of files) {
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (cause) {
      throw new BerthError(`cannot read kubeconfig ${file}: ${(cause as Error).message}`, { cause });
    }
    // The first file that sets a current context decides it, as kubectl does.
    config.mergeConfig(one, config.currentContext !== undefined && config.currentContext !== '');
    if (!config.currentContext && one.currentContext) config.setCurrentContext(one.currentContext);
  }
  const context = config.currentContext ? config.getContextObject(config.currentContext) : null;
  const cluster = config.getCurrentCluster();
  if (context === null || cluster === null) {
    throw new BerthError(`--apply needs a current context with a cluster in ${files.join(', ')} (kubectl config use-context NAME)`, { kind: 'not-found' });
  }
  const namespace = context.namespace ?? 'default';
  const client = k8s.KubernetesObjectApi.makeApiClient(config);
  for (const object of objects) {
    const spec = { ...object, metadata: { ...object.metadata, namespace } };
    try {
      await client.patch(spec, undefined, undefined, FIELD_MANAGER, false, k8s.PatchStrategy.ServerSideApply);
    } catch (cause) {
      throw new BerthError(`${object.kind} ${object.metadata.name}: ${refusal(cause, cluster.server)}`, { kind: 'engine', cause });
    }
    options.report(`${object.kind.toLowerCase()}/${object.metadata.name} serverside-applied (namespace ${namespace}, context ${config.currentContext})`);
  }
}

/** What the cluster said, or why it could not be asked, in one line. */
function refusal(cause: unknown, server: string): string {
  const error = cause as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string } };
  if (typeof error.code === 'number') {
    let message = typeof error.body === 'string' ? error.body : '';
    try {
      const parsed = JSON.parse(message) as { message?: string };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not a Status object: keep the text
    }
    return `the cluster refused it (HTTP ${error.code}): ${message.trim().slice(0, 500) || error.message}`;
  }
  const code = error.cause?.code ?? (error as { code?: string }).code;
  return `cannot reach the cluster at ${server}${code ? ` (${code})` : ''}: ${error.message ?? String(cause)}`;
}
