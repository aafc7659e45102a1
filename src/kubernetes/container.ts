// One compose service -> its container: image, command, environment, ports, probes, resources, security settings.
import { isDict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import { envFromFiles } from './config-objects.js';
import type { ConvertContext } from './context.js';
import { literalForKubernetes } from './context.js';
import type { Container, VolumeMount } from './manifest.js';
import { probesFor } from './probes.js';
import { resourcesFor } from './resources.js';
import type { ServicePort } from './services.js';

export const PULL_POLICY_LABEL = 'kompose.image-pull-policy';
const PULL_POLICIES: Readonly<Record<string, string>> = { always: 'Always', never: 'Never', missing: 'IfNotPresent', if_not_present: 'IfNotPresent' };

/** The image a service runs: its `image`, or the one berth builds for it (which must then be pushed somewhere). */
export function imageOf(service: ServiceConfig, ctx: ConvertContext): string {
  const image = typeof service.image === 'string' && service.image !== '' ? service.image : `${ctx.project.name}-${service.name}`;
  if (service.build !== undefined) ctx.warn('service', service.name, `build is not converted: push the image ${image} to a registry the cluster can pull from`);
  return image;
}

export function containerFor(service: ServiceConfig, ports: readonly ServicePort[], mounts: readonly VolumeMount[], ctx: ConvertContext): Container {
  const name = ctx.services.name(service.name);
  const { configMaps, environment } = envFromFiles(service, ctx);
  const env = Object.keys(environment).sort().map((key) => ({ name: key, value: literalForKubernetes(environment[key]!) }));
  const containerPorts = uniquePorts(ports).map((port) => ({ containerPort: port.targetPort, protocol: port.protocol }));
  const resources = resourcesFor(service, ctx);
  const securityContext = securityContextFor(service, ctx);
  const lifecycle = lifecycleFor(service, ctx);
  return {
    name,
    image: imageOf(service, ctx),
    ...(service.entrypoint ? { command: service.entrypoint.map(literalForKubernetes) } : {}),
    ...(service.command ? { args: service.command.map(literalForKubernetes) } : {}),
    ...(typeof service.working_dir === 'string' ? { workingDir: service.working_dir } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(configMaps.length > 0 ? { envFrom: configMaps.map((configMap) => ({ configMapRef: { name: configMap } })) } : {}),
    ...(containerPorts.length > 0 ? { ports: containerPorts } : {}),
    ...(resources ? { resources } : {}),
    ...probesFor(service, ctx),
    ...(lifecycle ? { lifecycle } : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...pullPolicy(service, ctx),
    ...(service.stdin_open === true ? { stdin: true } : {}),
    ...(service.tty === true ? { tty: true } : {}),
  };
}

function uniquePorts(ports: readonly ServicePort[]): ServicePort[] {
  const out: ServicePort[] = [];
  for (const port of ports) if (!out.some((known) => known.targetPort === port.targetPort && known.protocol === port.protocol)) out.push(port);
  return out;
}

function pullPolicy(service: ServiceConfig, ctx: ConvertContext): { imagePullPolicy?: string } {
  const requested = service.labels?.[PULL_POLICY_LABEL] ?? service.pull_policy;
  if (requested === undefined) return {};
  const known = Object.values(PULL_POLICIES).find((value) => value.toLowerCase() === requested.toLowerCase()) ?? PULL_POLICIES[requested];
  if (known !== undefined) return { imagePullPolicy: known };
  ctx.warn('service', service.name, `pull_policy ${requested} is not converted (the kubelet knows Always, IfNotPresent and Never)`);
  return {};
}

function securityContextFor(service: ServiceConfig, ctx: ConvertContext): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (service.privileged === true) out.privileged = true;
  if (service.read_only === true) out.readOnlyRootFilesystem = true;
  const add = capabilities(service.cap_add);
  const drop = capabilities(service.cap_drop);
  if (add.length > 0 || drop.length > 0) out.capabilities = { ...(add.length > 0 ? { add } : {}), ...(drop.length > 0 ? { drop } : {}) };
  if (typeof service.user === 'string' && service.user !== '') {
    const [user = '', group] = service.user.split(':');
    if (/^\d+$/.test(user) && (group === undefined || /^\d+$/.test(group))) {
      out.runAsUser = Number(user);
      if (group !== undefined) out.runAsGroup = Number(group);
    } else {
      ctx.warn('service', service.name, `user ${service.user} is not converted (Kubernetes needs numeric ids: runAsUser/runAsGroup)`);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Docker writes `CAP_NET_ADMIN` or `NET_ADMIN`; Kubernetes wants `NET_ADMIN`. */
function capabilities(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string').map((item) => item.toUpperCase().replace(/^CAP_/, ''));
}

/** post_start / pre_stop hooks -> lifecycle handlers: Kubernetes runs one command per hook, as the container's user. */
function lifecycleFor(service: ServiceConfig, ctx: ConvertContext): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, handler] of [['post_start', 'postStart'], ['pre_stop', 'preStop']] as const) {
    const hooks = Array.isArray(service[key]) ? (service[key] as unknown[]).filter(isDict) : [];
    const [first, ...rest] = hooks;
    if (first === undefined) continue;
    const command = Array.isArray(first.command) ? first.command.map(String) : typeof first.command === 'string' ? ['/bin/sh', '-c', first.command] : [];
    if (command.length > 0) out[handler] = { exec: { command: command.map(literalForKubernetes) } };
    for (const extra of ['user', 'privileged', 'working_dir', 'environment'] as const) {
      if (first[extra] !== undefined) ctx.warn('service', service.name, `${key}.${extra} is not converted (a hook runs like the container)`);
    }
    if (rest.length > 0) ctx.warn('service', service.name, `${key}: only the first hook is converted (Kubernetes runs one per container)`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
