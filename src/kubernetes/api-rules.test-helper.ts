// What the API server refuses beyond the OpenAPI schemas, for the tests: object and port names, label and
// annotation keys and values, selectors that match their pods, and references between the objects berth writes.
import type { KubernetesObject } from './manifest.js';
import { isQualifiedName } from './services.js';

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

type Json = Record<string, unknown>;

export function apiServerProblems(objects: readonly KubernetesObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const byKind = (kind: string): Set<string> => new Set(objects.filter((object) => object.kind === kind).map((object) => object.metadata.name));
  for (const object of objects) {
    const where = `${object.kind} ${object.metadata.name}`;
    const problem = (text: string): void => void problems.push(`${where}: ${text}`);
    if (!DNS_LABEL.test(object.metadata.name)) problem('name is not a DNS label');
    if (seen.has(`${object.kind}/${object.metadata.name}`)) problem('written twice');
    seen.add(`${object.kind}/${object.metadata.name}`);
    checkLabels(object.metadata.labels, problem);
    for (const key of Object.keys(object.metadata.annotations ?? {})) if (!isQualifiedName(key)) problem(`annotation key ${key}`);
    for (const key of Object.keys((object.data as Json | undefined) ?? {})) if (!DATA_KEY.test(key)) problem(`data key ${key}`);
    const spec = (object.spec ?? {}) as Json;
    if (object.kind === 'Service') {
      for (const port of (spec.ports as Json[] | undefined) ?? []) if (!PORT_NAME.test(String(port.name))) problem(`port name ${String(port.name)}`);
      const selector = spec.selector as Record<string, string>;
      const selected = objects.filter((other) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(other.kind) && matches(selector, podLabels(other)));
      if (selected.length === 0) problem('selects no workload');
    }
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)) {
      const matchLabels = ((spec.selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
      if (object.kind !== 'Job' && !matches(matchLabels, podLabels(object))) problem('selector does not match its pods');
      checkLabels(podLabels(object), problem);
      const pod = (spec.template as Json).spec as Json;
      const volumes = new Set(((pod.volumes as Json[] | undefined) ?? []).map((volume) => String(volume.name)));
      for (const template of (spec.volumeClaimTemplates as KubernetesObject[] | undefined) ?? []) volumes.add(template.metadata.name);
      for (const volume of (pod.volumes as Json[] | undefined) ?? []) {
        if (!DNS_LABEL.test(String(volume.name))) problem(`volume name ${String(volume.name)}`);
        const claim = (volume.persistentVolumeClaim as Json | undefined)?.claimName;
        if (claim !== undefined && !byKind('PersistentVolumeClaim').has(String(claim))) problem(`claim ${String(claim)} not written (external?)`);
      }
      for (const container of pod.containers as Json[]) {
        if (!DNS_LABEL.test(String(container.name))) problem(`container name ${String(container.name)}`);
        for (const mount of (container.volumeMounts as Json[] | undefined) ?? []) if (!volumes.has(String(mount.name))) problem(`mount of unknown volume ${String(mount.name)}`);
        const paths = ((container.volumeMounts as Json[] | undefined) ?? []).map((mount) => String(mount.mountPath));
        if (new Set(paths).size !== paths.length) problem('two mounts at one path');
        const names = ((container.env as Json[] | undefined) ?? []).map((env) => String(env.name));
        if (new Set(names).size !== names.length) problem('an env name twice');
      }
      if (object.kind === 'StatefulSet' && !byKind('Service').has(String(spec.serviceName))) problem(`governing Service ${String(spec.serviceName)} not written`);
    }
  }
  return problems;
}

function podLabels(object: KubernetesObject): Record<string, string> {
  return ((((object.spec as Json).template as Json).metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function checkLabels(labels: Readonly<Record<string, string>> | undefined, problem: (text: string) => void): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(key)) problem(`label key ${key}`);
    if (!LABEL_VALUE.test(value)) problem(`label value ${value}`);
  }
}
