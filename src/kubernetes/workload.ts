// One compose service -> its workload: a Deployment (replicas), a DaemonSet (deploy.mode global), a StatefulSet
// (named volumes, when asked for), or a Job for a service that is not meant to be restarted (`restart: "no"`,
// `on-failure`, as kompose does): a Deployment would restart it forever.
import { durationSeconds } from '../model/duration.js';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import { configAndSecretMounts } from './config-objects.js';
import { containerFor } from './container.js';
import type { ConvertContext } from './context.js';
import type { KubernetesObject, PodSpec } from './manifest.js';
import { selectorLabels, standardLabels } from './manifest.js';
import { networkLabels } from './network-policies.js';
import { annotationsOf } from './services.js';
import type { ServicePort } from './services.js';
import { mountsNamedVolume, podStorage } from './storage.js';

export const CONTROLLER_LABEL = 'kompose.controller.type';
export const PULL_SECRET_LABEL = 'kompose.image-pull-secret';
export const SERVICE_ACCOUNT_LABEL = 'kompose.serviceaccount-name';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';

export interface Workload {
  readonly object: KubernetesObject;
  readonly kind: WorkloadKind;
  /** Named volumes mounted through shared claims, to be written once for the project. */
  readonly claimed: readonly string[];
}

export function workloadKind(service: ServiceConfig, ctx: ConvertContext): WorkloadKind {
  const deploy: Dict = isDict(service.deploy) ? service.deploy : {};
  const requested = service.labels?.[CONTROLLER_LABEL]?.toLowerCase();
  if (requested === 'deployment') return 'Deployment';
  if (requested === 'statefulset') return 'StatefulSet';
  if (requested === 'daemonset') return 'DaemonSet';
  if (requested === 'job') return 'Job';
  if (requested !== undefined) ctx.warn('service', service.name, `label ${CONTROLLER_LABEL}=${requested} is not one of deployment, statefulset, daemonset, job: ignored`);
  if (deploy.mode === 'global') return 'DaemonSet';
  if (deploy.mode === 'replicated-job' || deploy.mode === 'global-job') return 'Job';
  if (runsToCompletion(service)) return 'Job';
  if (ctx.options.statefulSets === true && mountsNamedVolume(service, ctx)) return 'StatefulSet';
  return 'Deployment';
}

/** `restart: "no"` / `on-failure`, or `deploy.restart_policy.condition: none | on-failure`. */
function runsToCompletion(service: ServiceConfig): boolean {
  const policy = isDict(service.deploy) && isDict(service.deploy.restart_policy) ? service.deploy.restart_policy.condition : undefined;
  if (policy === 'none' || policy === 'on-failure') return true;
  if (policy === 'any') return false;
  return service.restart === 'no' || (typeof service.restart === 'string' && service.restart.startsWith('on-failure'));
}

export function workloadFor(service: ServiceConfig, kind: WorkloadKind, ports: readonly ServicePort[], ctx: ConvertContext): Workload {
  const name = ctx.services.name(service.name);
  const deploy: Dict = isDict(service.deploy) ? service.deploy : {};
  const storage = podStorage(service, ctx, kind === 'StatefulSet');
  const files = configAndSecretMounts(service, ctx);
  const container = containerFor(service, ports, [...storage.mounts, ...files.mounts], ctx);
  const volumes = [...storage.volumes, ...files.volumes];
  const restartPolicy = kind === 'Job' ? jobRestartPolicy(service) : undefined;
  const pod: PodSpec = {
    containers: [container],
    ...podSettings(service, ctx),
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  const labels = service.labels ?? {};
  const reject = (key: string): void => ctx.warn('service', service.name, `label ${key} is not converted (not a valid Kubernetes annotation key)`);
  const template = {
    metadata: {
      labels: { ...standardLabels(ctx.project.name, name), ...networkLabels(service, ctx) },
      ...annotationsOf({ ...(service.annotations as Record<string, string> | undefined), ...labels }, reject),
    },
    spec: pod,
  };
  const deployLabels = isDict(deploy.labels) ? (deploy.labels as Record<string, string>) : {};
  const metadata = { name, labels: standardLabels(ctx.project.name, name), ...annotationsOf({ ...labels, ...deployLabels }) };
  const replicas = replicasOf(service, deploy);
  warnRestartDetails(service, deploy, kind, ctx);
  if (replicas > 1 && storage.claimed.length > 0 && kind !== 'Job') {
    ctx.warn('service', service.name, `${replicas} replicas share the volume claim(s) ${storage.claimed.join(', ')} (ReadWriteOnce): they can only run on one node`);
  }
  const workload = (apiVersion: string, spec: Record<string, unknown>): Workload => ({ kind, claimed: storage.claimed, object: { apiVersion, kind, metadata, spec } });
  const selector = { matchLabels: selectorLabels(name) };
  switch (kind) {
    case 'Deployment':
      return workload('apps/v1', {
        replicas,
        selector,
        // Pods sharing a ReadWriteOnce claim cannot overlap during a rollout.
        ...(storage.claimed.length > 0 ? { strategy: { type: 'Recreate' } } : {}),
        template,
      });
    case 'StatefulSet':
      return workload('apps/v1', {
        replicas,
        serviceName: name,
        selector,
        template,
        ...(storage.claimTemplates.length > 0 ? { volumeClaimTemplates: storage.claimTemplates } : {}),
      });
    case 'DaemonSet':
      if (deploy.replicas !== undefined || service.scale !== undefined) ctx.warn('service', service.name, 'replicas are not converted for deploy.mode global (a DaemonSet runs one pod per node)');
      return workload('apps/v1', { selector, template });
    case 'Job': {
      const maxAttempts = isDict(deploy.restart_policy) && typeof deploy.restart_policy.max_attempts === 'number' ? deploy.restart_policy.max_attempts : undefined;
      const onFailure = /^on-failure:(\d+)$/.exec(service.restart ?? '');
      const backoffLimit = restartPolicy === 'Never' ? 0 : (maxAttempts ?? (onFailure ? Number(onFailure[1]) : undefined));
      if (deploy.mode === 'global-job') ctx.warn('service', service.name, 'deploy.mode global-job is converted as a Job with one pod (not one per node)');
      return workload('batch/v1', {
        ...(replicas !== 1 ? { completions: replicas, parallelism: replicas } : {}),
        ...(backoffLimit !== undefined ? { backoffLimit } : {}),
        template,
      });
    }
  }
}

function replicasOf(service: ServiceConfig, deploy: Dict): number {
  if (typeof deploy.replicas === 'number') return deploy.replicas;
  if (typeof service.scale === 'number') return service.scale;
  return 1;
}

function jobRestartPolicy(service: ServiceConfig): 'Never' | 'OnFailure' {
  const condition = isDict(service.deploy) && isDict(service.deploy.restart_policy) ? service.deploy.restart_policy.condition : undefined;
  if (condition === 'on-failure' || (condition === undefined && service.restart?.startsWith('on-failure'))) return 'OnFailure';
  return 'Never';
}

function warnRestartDetails(service: ServiceConfig, deploy: Dict, kind: WorkloadKind, ctx: ConvertContext): void {
  const policy = isDict(deploy.restart_policy) ? deploy.restart_policy : {};
  for (const key of ['delay', 'window'] as const) {
    if (policy[key] !== undefined) ctx.warn('service', service.name, `deploy.restart_policy.${key} is not converted (the kubelet backs off by itself)`);
  }
  if (policy.max_attempts !== undefined && kind !== 'Job') ctx.warn('service', service.name, 'deploy.restart_policy.max_attempts is not converted (a Deployment restarts its pods without limit)');
}

/** Pod-level settings: namespaces, DNS, hosts, platform and placement, grace period, pull secret, sysctls. */
function podSettings(service: ServiceConfig, ctx: ConvertContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const warn = (text: string): void => ctx.warn('service', service.name, text);
  const mode = service.network_mode;
  if (mode === 'host') {
    out.hostNetwork = true;
    out.dnsPolicy = 'ClusterFirstWithHostNet';
  } else if (mode !== undefined && mode !== 'bridge' && mode !== 'default') {
    warn(`network_mode ${mode} is not converted${mode.startsWith('service:') || mode.startsWith('container:') ? ' (containers sharing a network belong in one pod)' : ''}`);
  }
  for (const [key, field] of [['pid', 'hostPID'], ['ipc', 'hostIPC']] as const) {
    const value = service[key];
    if (value === 'host') out[field] = true;
    else if (typeof value === 'string' && value !== 'private' && value !== 'shareable') warn(`${key} ${value} is not converted`);
  }
  if (typeof service.hostname === 'string') {
    if (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(service.hostname)) out.hostname = service.hostname;
    else warn(`hostname ${service.hostname} is not converted (not a DNS label)`);
  }
  const dnsConfig: Record<string, unknown> = {};
  if (Array.isArray(service.dns) && service.dns.length > 0) dnsConfig.nameservers = service.dns;
  if (Array.isArray(service.dns_search) && service.dns_search.length > 0) dnsConfig.searches = service.dns_search;
  if (Array.isArray(service.dns_opt) && service.dns_opt.length > 0) {
    dnsConfig.options = service.dns_opt.map((option: unknown) => {
      const [name = '', value] = String(option).split(':', 2);
      return value === undefined ? { name } : { name, value };
    });
  }
  if (Object.keys(dnsConfig).length > 0) out.dnsConfig = dnsConfig;
  const aliases = hostAliases(service, warn);
  if (aliases.length > 0) out.hostAliases = aliases;
  const nodeSelector = { ...platformSelector(service, warn), ...placementSelector(service, warn) };
  if (Object.keys(nodeSelector).length > 0) out.nodeSelector = nodeSelector;
  if (service.stop_grace_period !== undefined) {
    out.terminationGracePeriodSeconds = durationSeconds(service.stop_grace_period, ['services', service.name, 'stop_grace_period']);
  }
  const podSecurity: Record<string, unknown> = {};
  if (isDict(service.sysctls) && Object.keys(service.sysctls).length > 0) {
    podSecurity.sysctls = Object.keys(service.sysctls).sort().map((name) => ({ name, value: String((service.sysctls as Dict)[name]) }));
  }
  if (Array.isArray(service.group_add)) {
    const groups = service.group_add.map(String);
    const numeric = groups.filter((group) => /^\d+$/.test(group)).map(Number);
    if (numeric.length > 0) podSecurity.supplementalGroups = numeric;
    if (numeric.length < groups.length) warn('group_add: group names are not converted (Kubernetes needs numeric ids)');
  }
  if (Object.keys(podSecurity).length > 0) out.securityContext = podSecurity;
  const labels = service.labels ?? {};
  if (labels[PULL_SECRET_LABEL]) out.imagePullSecrets = [{ name: labels[PULL_SECRET_LABEL] }];
  if (labels[SERVICE_ACCOUNT_LABEL]) out.serviceAccountName = labels[SERVICE_ACCOUNT_LABEL];
  return out;
}

function hostAliases(service: ServiceConfig, warn: (text: string) => void): { ip: string; hostnames: string[] }[] {
  const entries: [string, unknown][] = isDict(service.extra_hosts)
    ? Object.entries(service.extra_hosts)
    : Array.isArray(service.extra_hosts)
      ? service.extra_hosts.map((entry: unknown) => {
          // "host=ip" (canonical) or "host:ip"; an IPv6 address may come in brackets.
          const text = String(entry);
          const at = text.includes('=') ? text.indexOf('=') : text.indexOf(':');
          return [text.slice(0, at), text.slice(at + 1).replace(/^\[(.*)\]$/, '$1')] as [string, unknown];
        })
      : [];
  const byIp = new Map<string, string[]>();
  for (const [host, value] of entries) {
    for (const ip of Array.isArray(value) ? value.map(String) : [String(value)]) {
      if (ip === 'host-gateway') {
        warn(`extra_hosts: ${host}:host-gateway is not converted (a pod has no Docker host)`);
        continue;
      }
      byIp.set(ip, [...(byIp.get(ip) ?? []), host]);
    }
  }
  return [...byIp].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ip, hostnames]) => ({ ip, hostnames }));
}

/** `platform: linux/arm64` -> the well-known node labels. */
function platformSelector(service: ServiceConfig, warn: (text: string) => void): Record<string, string> {
  if (typeof service.platform !== 'string') return {};
  const [os, arch, variant] = service.platform.split('/');
  if (variant !== undefined) warn(`platform variant ${variant} is not converted (no well-known node label)`);
  return { ...(os ? { 'kubernetes.io/os': os } : {}), ...(arch ? { 'kubernetes.io/arch': arch } : {}) };
}

/** Swarm placement -> nodeSelector where it is a plain equality on a node label; the rest is reported. */
function placementSelector(service: ServiceConfig, warn: (text: string) => void): Record<string, string> {
  const placement = isDict(service.deploy) && isDict(service.deploy.placement) ? service.deploy.placement : {};
  const out: Record<string, string> = {};
  for (const constraint of Array.isArray(placement.constraints) ? placement.constraints.map(String) : []) {
    const match = /^\s*node\.labels\.([^\s=!]+)\s*==\s*(\S+)\s*$/.exec(constraint);
    if (match) out[match[1]!] = match[2]!;
    else warn(`deploy.placement constraint "${constraint}" is not converted (only node.labels.KEY == VALUE becomes a nodeSelector)`);
  }
  for (const key of ['preferences', 'max_replicas_per_node'] as const) {
    if (placement[key] !== undefined) warn(`deploy.placement.${key} is not converted (use affinity / topology spread constraints)`);
  }
  return out;
}
