// The resolved project -> Kubernetes objects, pure: files are read through `inputs`, and what cannot be converted
// comes back as warning lines (one each) rather than being dropped. Order is fixed (kind, then name) so the output
// is stable and applies in dependency order: what pods mount and read first, then Services, workloads, policies.
import type { Project, ServiceConfig } from '../model/types.js';
import { ConvertContext } from './context.js';
import type { ConvertInputs, KubernetesOptions } from './context.js';
import { unconvertedKeyWarnings } from './keys.js';
import type { KubernetesObject } from './manifest.js';
import { writeNetworkPolicies } from './network-policies.js';
import { serviceObject, servicePorts } from './services.js';
import type { ServicePort } from './services.js';
import { writeClaims } from './storage.js';
import { workloadFor, workloadKind } from './workload.js';

export type { ConvertInputs, KubernetesOptions } from './context.js';

export interface Conversion {
  readonly objects: readonly KubernetesObject[];
  readonly warnings: readonly string[];
}

const KIND_ORDER = ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'NetworkPolicy'];

export function toKubernetes(project: Project, inputs: ConvertInputs, options: KubernetesOptions = {}): Conversion {
  const ctx = new ConvertContext(project, options, inputs);
  const services = Object.keys(project.services).sort().map((name) => project.services[name]!);
  // Names first, so a clash is reported before anything else and every later reference agrees.
  for (const service of services) ctx.services.name(service.name);
  const claimed = new Set<string>();
  const published = new Map<string, readonly ServicePort[]>();
  for (const service of services) {
    for (const text of unconvertedKeyWarnings(service)) ctx.warn('service', service.name, text);
    const ports = servicePorts(service, ctx);
    const kind = workloadKind(service, ctx);
    const workload = workloadFor(service, kind, ports, ctx);
    for (const volume of workload.claimed) claimed.add(volume);
    const network = serviceObject(service, kind === 'Job' ? [] : ports, ctx, kind === 'StatefulSet');
    if (kind === 'Job' && ports.length > 0) ctx.warn('service', service.name, 'ports are not converted for a service that runs to completion (a Job)');
    if (network !== undefined) ctx.add(network);
    ctx.add(workload.object);
    if (kind !== 'Job') published.set(service.name, ports.filter((port) => port.published));
  }
  writeClaims(claimed, ctx);
  writeNetworkPolicies(services as ServiceConfig[], published, ctx);
  for (const section of ['models'] as const) {
    if (project.model[section] !== undefined) ctx.warnings.push(`${section} are not converted`);
  }
  return { objects: sortObjects(ctx.objects), warnings: ctx.warnings };
}

function sortObjects(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const rank = (object: KubernetesObject): number => KIND_ORDER.indexOf(object.kind);
  return [...objects].sort((a, b) => rank(a) - rank(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}
