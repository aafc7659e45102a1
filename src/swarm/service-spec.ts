// One compose service -> the ServiceSpec `docker stack deploy` would send for it: the container (reusing the
// single-engine converters of apply/convert for command, environment, healthcheck, ulimits and DNS), its mounts,
// networks, secrets and configs, and the swarm's own settings from `deploy` (mode, replicas, resources, restart
// policy, update and rollback configs, placement, endpoint). Pure: names of networks and file objects come in.
import { BerthError } from '../model/errors.js';
import { parseBytes } from '../model/bytes.js';
import { parseDuration } from '../model/duration.js';
import { isDict } from '../model/tree.js';
import type { Dict, TreePath } from '../model/tree.js';
import type { ServiceConfig, VolumeMount } from '../model/types.js';
import { convertCommand } from '../apply/convert/command.js';
import { convertDns } from '../apply/convert/dns.js';
import { convertEnvironment } from '../apply/convert/environment.js';
import { convertHealthcheck } from '../apply/convert/healthcheck.js';
import { nanoCpus } from '../apply/convert/resources.js';
import { compact, isPresent, servicePath, toBoolean, toInteger, toNumber, toStringList, toStringMap, toText } from '../apply/convert/scalars.js';
import { convertUlimits } from '../apply/convert/ulimits.js';
import type { ServiceSpec } from '../engine-client/swarm.js';
import { IMAGE_LABEL, NAMESPACE_LABEL, scoped } from './names.js';

/** A secret or config as a service refers to it: the swarm object's name (its id is filled in at deploy time). */
export interface FileObjectName {
  readonly name: string;
}

export interface ServiceContext {
  readonly stack: string;
  /** Compose network key -> the swarm network's name. */
  readonly networkNames: Readonly<Record<string, string>>;
  /** Compose volume key -> the volume's name on each node. */
  readonly volumeNames: Readonly<Record<string, string>>;
  readonly volumes: Readonly<Record<string, { readonly driver?: string; readonly driver_opts?: Readonly<Record<string, string>>; readonly labels?: Readonly<Record<string, string>>; readonly external?: boolean }>>;
  readonly secrets: Readonly<Record<string, FileObjectName>>;
  readonly configs: Readonly<Record<string, FileObjectName>>;
  readonly warn: (text: string) => void;
}

/** What the spec's image is before deploy pins it to a digest: the reference as the compose file names it. */
export function serviceImage(service: ServiceConfig): string {
  if (typeof service.image === 'string' && service.image !== '') return service.image;
  throw new BerthError(`service "${service.name}" has no image: a swarm runs images from a registry (build it, push it, and name it in "image")`, {
    kind: 'invalid',
    path: servicePath(service.name, 'image'),
  });
}

export function serviceSpec(service: ServiceConfig, ctx: ServiceContext): ServiceSpec {
  const deploy = isDict(service.deploy) ? (service.deploy as Dict) : {};
  const deployPath = servicePath(service.name, 'deploy');
  const image = serviceImage(service);
  const warn = (text: string) => ctx.warn(`service "${service.name}": ${text}`);
  const logging = loggingOf(service);
  return compact({
    Name: scoped(ctx.stack, service.name),
    Labels: { ...stringMap(deploy.labels, [...deployPath, 'labels']), [IMAGE_LABEL]: image, [NAMESPACE_LABEL]: ctx.stack },
    TaskTemplate: compact({
      ContainerSpec: containerSpec(service, image, ctx, warn),
      Resources: resources(service, deploy, deployPath),
      RestartPolicy: restartPolicy(service, deploy, deployPath),
      Placement: placement(service, deploy, deployPath),
      Networks: networks(service, ctx),
      LogDriver: logging,
    }),
    Mode: mode(service, deploy, deployPath),
    UpdateConfig: rollout(deploy.update_config, [...deployPath, 'update_config']),
    RollbackConfig: rollout(deploy.rollback_config, [...deployPath, 'rollback_config']),
    EndpointSpec: endpoint(service, deploy, deployPath),
  }) as ServiceSpec;
}

function containerSpec(service: ServiceConfig, image: string, ctx: ServiceContext, warn: (text: string) => void): Record<string, unknown> {
  const { config: command } = convertCommand(service);
  const { config: environment } = convertEnvironment(service);
  const { config: health } = convertHealthcheck(service);
  const { host: limits } = convertUlimits(service);
  const { host: dns } = convertDns(service);
  const text = (key: string): string | undefined => (isPresent(service[key]) ? toText(service[key], servicePath(service.name, key)) : undefined);
  const flag = (key: string): boolean | undefined => (isPresent(service[key]) && toBoolean(service[key], servicePath(service.name, key)) ? true : undefined);
  const list = (key: string): string[] | undefined => {
    const values = isPresent(service[key]) ? toStringList(service[key], servicePath(service.name, key)) : [];
    return values.length > 0 ? values : undefined;
  };
  const mounts = [...volumeMounts(service, ctx, warn), ...tmpfsMounts(service)];
  const secrets = fileReferences(service, 'secrets', ctx.secrets);
  const configs = fileReferences(service, 'configs', ctx.configs);
  const dnsConfig = dns ? compact({ Nameservers: dns.Dns, Search: dns.DnsSearch, Options: dns.DnsOptions }) : undefined;
  const sysctls = isPresent(service.sysctls) ? toStringMap(service.sysctls, servicePath(service.name, 'sysctls')) : {};
  return compact({
    Image: image,
    Labels: { ...stringMap(service.labels, servicePath(service.name, 'labels')), [NAMESPACE_LABEL]: ctx.stack },
    Command: command?.Entrypoint,
    Args: command?.Cmd,
    Hostname: text('hostname'),
    Env: environment?.Env,
    Dir: text('working_dir'),
    User: text('user'),
    Groups: list('group_add'),
    StopSignal: text('stop_signal'),
    StopGracePeriod: isPresent(service.stop_grace_period) ? parseDuration(service.stop_grace_period, servicePath(service.name, 'stop_grace_period')) : undefined,
    TTY: flag('tty'),
    OpenStdin: flag('stdin_open'),
    ReadOnly: flag('read_only'),
    Init: isPresent(service.init) ? toBoolean(service.init, servicePath(service.name, 'init')) : undefined,
    Isolation: text('isolation'),
    Mounts: mounts.length > 0 ? mounts : undefined,
    Healthcheck: health?.Healthcheck,
    DNSConfig: dnsConfig && Object.keys(dnsConfig).length > 0 ? dnsConfig : undefined,
    // The swarm's Hosts are /etc/hosts lines: "IP name".
    Hosts: dns?.ExtraHosts?.map((line) => {
      const colon = line.indexOf(':');
      return `${line.slice(colon + 1)} ${line.slice(0, colon)}`;
    }),
    Secrets: secrets.length > 0 ? secrets : undefined,
    Configs: configs.length > 0 ? configs : undefined,
    Sysctls: Object.keys(sysctls).length > 0 ? sysctls : undefined,
    CapabilityAdd: list('cap_add'),
    CapabilityDrop: list('cap_drop'),
    Ulimits: limits?.Ulimits,
    OomScoreAdj: isPresent(service.oom_score_adj) ? toInteger(service.oom_score_adj, servicePath(service.name, 'oom_score_adj')) : undefined,
  });
}

function stringMap(value: unknown, path: TreePath): Record<string, string> {
  return isPresent(value) ? toStringMap(value, path) : {};
}

function loggingOf(service: ServiceConfig): Record<string, unknown> | undefined {
  const logging = service.logging;
  if (!isDict(logging)) return undefined;
  const path = servicePath(service.name, 'logging');
  const driver = isPresent(logging.driver) ? toText(logging.driver, [...path, 'driver']) : undefined;
  const options = stringMap(logging.options, [...path, 'options']);
  if (driver === undefined && Object.keys(options).length === 0) return undefined;
  return compact({ Name: driver, Options: Object.keys(options).length > 0 ? options : undefined });
}

function volumeMounts(service: ServiceConfig, ctx: ServiceContext, warn: (text: string) => void): Record<string, unknown>[] {
  return (service.volumes ?? []).map((mount: VolumeMount, index) => {
    const path = servicePath(service.name, 'volumes', index);
    const readOnly = mount.read_only === true ? true : undefined;
    switch (mount.type) {
      case 'volume': {
        if (mount.source === undefined) return compact({ Type: 'volume', Target: mount.target, ReadOnly: readOnly });
        const volume = ctx.volumes[mount.source];
        const name = ctx.volumeNames[mount.source];
        if (volume === undefined || name === undefined) throw new BerthError(`volume "${mount.source}" is not defined in the top-level volumes`, { path });
        const labels = { ...(volume.labels ?? {}), ...(volume.external === true ? {} : { [NAMESPACE_LABEL]: ctx.stack }) };
        const driver = volume.driver || volume.driver_opts ? compact({ Name: volume.driver || 'local', Options: volume.driver_opts }) : undefined;
        return compact({
          Type: 'volume',
          Source: name,
          Target: mount.target,
          ReadOnly: readOnly,
          VolumeOptions: compact({ NoCopy: mount.volume?.nocopy === true ? true : undefined, Labels: labels, DriverConfig: driver, Subpath: mount.volume?.subpath }),
        });
      }
      case 'bind':
        warn(`bind mount ${mount.source ?? ''} must exist on every node that runs the service`);
        return compact({ Type: 'bind', Source: mount.source, Target: mount.target, ReadOnly: readOnly, BindOptions: mount.bind?.propagation ? { Propagation: mount.bind.propagation } : undefined });
      case 'tmpfs':
        return compact({
          Type: 'tmpfs',
          Target: mount.target,
          ReadOnly: readOnly,
          TmpfsOptions: mount.tmpfs ? compact({ SizeBytes: isPresent(mount.tmpfs.size) ? parseBytes(mount.tmpfs.size, [...path, 'tmpfs', 'size']) : undefined, Mode: isPresent(mount.tmpfs.mode) ? mode8(mount.tmpfs.mode, [...path, 'tmpfs', 'mode']) : undefined }) : undefined,
        });
      default:
        throw new BerthError(`a ${mount.type} mount cannot be used by a swarm service`, { path });
    }
  });
}

/** `tmpfs: [/run, /tmp:size=1m]` (the short service key): tmpfs mounts, as docker stack deploy makes them. */
function tmpfsMounts(service: ServiceConfig): Record<string, unknown>[] {
  const raw = service.tmpfs;
  if (!isPresent(raw)) return [];
  const path = servicePath(service.name, 'tmpfs');
  const lines = typeof raw === 'string' ? [raw] : toStringList(raw, path);
  return lines.map((line) => {
    const [target = '', options] = line.split(':', 2);
    const sizeText = options?.split(',').find((option) => option.startsWith('size='));
    return compact({ Type: 'tmpfs', Target: target, TmpfsOptions: sizeText ? { SizeBytes: parseBytes(sizeText.slice(5), path) } : undefined });
  });
}

/** A file mode written as a number (0400 read by YAML as 256) or as octal text ("0400"). */
function mode8(value: unknown, path: TreePath): number {
  if (typeof value === 'number') return value;
  const textValue = toText(value, path).trim();
  if (/^0?[0-7]+$/.test(textValue)) return Number.parseInt(textValue, 8);
  throw new BerthError(`expected a file mode, got ${JSON.stringify(value)}`, { path });
}

function fileReferences(service: ServiceConfig, kind: 'secrets' | 'configs', objects: Readonly<Record<string, FileObjectName>>): Record<string, unknown>[] {
  const raw = service[kind];
  if (!Array.isArray(raw)) return [];
  const path = servicePath(service.name, kind);
  const references = raw.map((entry: unknown, index) => {
    const at = [...path, index];
    const item = isDict(entry) ? entry : { source: entry };
    const source = toText(item.source, [...at, 'source']);
    const object = objects[source];
    if (object === undefined) throw new BerthError(`${kind === 'secrets' ? 'secret' : 'config'} "${source}" is not defined in the top-level ${kind}`, { path: at });
    const written = isPresent(item.target) ? toText(item.target, [...at, 'target']) : undefined;
    // Secrets live under /run/secrets/, where a relative name puts them (the loader writes the long form); configs
    // default to /<source>.
    const target = kind === 'secrets' ? (written ?? source).replace(/^\/run\/secrets\//, '') : (written ?? `/${source}`);
    const file = {
      Name: target,
      UID: isPresent(item.uid) ? toText(item.uid, [...at, 'uid']) : '0',
      GID: isPresent(item.gid) ? toText(item.gid, [...at, 'gid']) : '0',
      Mode: isPresent(item.mode) ? mode8(item.mode, [...at, 'mode']) : 0o444,
    };
    return kind === 'secrets' ? { File: file, SecretID: '', SecretName: object.name } : { File: file, ConfigID: '', ConfigName: object.name };
  });
  const nameOf = (reference: Record<string, unknown>) => String(reference.SecretName ?? reference.ConfigName);
  return references.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
}

function networks(service: ServiceConfig, ctx: ServiceContext): Record<string, unknown>[] | undefined {
  const attached = service.networks ?? {};
  const out = Object.keys(attached).map((key) => {
    const name = ctx.networkNames[key];
    if (name === undefined) throw new BerthError(`network "${key}" is not defined in the top-level networks`, { path: servicePath(service.name, 'networks', key) });
    const aliases = attached[key]?.aliases ?? [];
    return { Target: name, Aliases: [service.name, ...aliases.filter((alias) => alias !== service.name)] };
  });
  out.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
  return out.length > 0 ? out : undefined;
}

const MODES = ['replicated', 'global', 'replicated-job', 'global-job'] as const;

function mode(service: ServiceConfig, deploy: Dict, path: TreePath): Record<string, unknown> {
  const name = isPresent(deploy.mode) ? toText(deploy.mode, [...path, 'mode']) : 'replicated';
  if (!(MODES as readonly string[]).includes(name)) throw new BerthError(`unknown deploy.mode "${name}": use ${MODES.join(', ')}`, { path: [...path, 'mode'] });
  const fromDeploy = isPresent(deploy.replicas) ? toInteger(deploy.replicas, [...path, 'replicas']) : undefined;
  const fromScale = isPresent(service.scale) ? toInteger(service.scale, servicePath(service.name, 'scale')) : undefined;
  const replicas = fromDeploy ?? fromScale;
  if ((name === 'global' || name === 'global-job') && replicas !== undefined) {
    throw new BerthError(`deploy.replicas cannot be used with deploy.mode ${name}`, { path: [...path, 'replicas'] });
  }
  switch (name) {
    case 'global':
      return { Global: {} };
    case 'global-job':
      return { GlobalJob: {} };
    case 'replicated-job':
      // As docker stack deploy: `replicas` runs that many at once, and as many completions are wanted.
      return { ReplicatedJob: { MaxConcurrent: replicas ?? 1, TotalCompletions: replicas ?? 1 } };
    default:
      return { Replicated: { Replicas: replicas ?? 1 } };
  }
}

function resources(service: ServiceConfig, deploy: Dict, path: TreePath): Record<string, unknown> | undefined {
  const section = (key: 'limits' | 'reservations'): Dict => {
    const all = deploy.resources;
    if (!isPresent(all)) return {};
    if (!isDict(all)) throw new BerthError('expected a mapping', { path: [...path, 'resources'] });
    const value = all[key];
    if (!isPresent(value)) return {};
    if (!isDict(value)) throw new BerthError('expected a mapping', { path: [...path, 'resources', key] });
    return value;
  };
  const at = (key: string, field: string): TreePath => [...path, 'resources', key, field];
  const own = (key: string) => (isPresent(service[key]) ? service[key] : undefined);
  const limits = section('limits');
  const reservations = section('reservations');
  const cpus = limits.cpus ?? own('cpus');
  const memory = limits.memory ?? own('mem_limit');
  const pids = limits.pids ?? own('pids_limit');
  const reservedCpus = reservations.cpus;
  const reservedMemory = reservations.memory ?? own('mem_reservation');
  if (isPresent(reservations.devices)) throw new BerthError('deploy.resources.reservations.devices cannot be used by a swarm service', { path: at('reservations', 'devices') });
  const limitBody = compact({
    NanoCPUs: isPresent(cpus) ? nanoCpus(cpus, at('limits', 'cpus')) : undefined,
    MemoryBytes: isPresent(memory) ? parseBytes(memory, at('limits', 'memory')) : undefined,
    Pids: isPresent(pids) ? toInteger(pids, at('limits', 'pids')) : undefined,
  });
  const reserveBody = compact({
    NanoCPUs: isPresent(reservedCpus) ? nanoCpus(reservedCpus, at('reservations', 'cpus')) : undefined,
    MemoryBytes: isPresent(reservedMemory) ? parseBytes(reservedMemory, at('reservations', 'memory')) : undefined,
    GenericResources: genericResources(reservations.generic_resources, at('reservations', 'generic_resources')),
  });
  const out = compact({ Limits: Object.keys(limitBody).length > 0 ? limitBody : undefined, Reservations: Object.keys(reserveBody).length > 0 ? reserveBody : undefined });
  return Object.keys(out).length > 0 ? out : undefined;
}

function genericResources(value: unknown, path: TreePath): Record<string, unknown>[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((entry: unknown, index) => {
    const spec = isDict(entry) && isDict(entry.discrete_resource_spec) ? entry.discrete_resource_spec : undefined;
    if (!spec) throw new BerthError('expected discrete_resource_spec: {kind, value}', { path: [...path, index] });
    return { DiscreteResourceSpec: { Kind: toText(spec.kind, [...path, index, 'kind']), Value: toInteger(spec.value, [...path, index, 'value']) } };
  });
}

const CONDITIONS = new Set(['none', 'on-failure', 'any']);

/** deploy.restart_policy, else the service's `restart` read the way docker stack deploy reads it. */
function restartPolicy(service: ServiceConfig, deploy: Dict, path: TreePath): Record<string, unknown> | undefined {
  const policy = deploy.restart_policy;
  if (isDict(policy)) {
    const at = (key: string): TreePath => [...path, 'restart_policy', key];
    const condition = isPresent(policy.condition) ? toText(policy.condition, at('condition')) : undefined;
    if (condition !== undefined && !CONDITIONS.has(condition)) throw new BerthError(`unknown restart condition "${condition}": use none, on-failure or any`, { path: at('condition') });
    return compact({
      Condition: condition,
      Delay: isPresent(policy.delay) ? parseDuration(policy.delay, at('delay')) : undefined,
      MaxAttempts: isPresent(policy.max_attempts) ? toInteger(policy.max_attempts, at('max_attempts')) : undefined,
      Window: isPresent(policy.window) ? parseDuration(policy.window, at('window')) : undefined,
    });
  }
  if (!isPresent(service.restart)) return undefined;
  const restart = toText(service.restart, servicePath(service.name, 'restart'));
  const [name, count] = restart.split(':', 2);
  switch (name) {
    case 'no':
      return { Condition: 'none' };
    case 'always':
    case 'unless-stopped':
      return { Condition: 'any' };
    case 'on-failure':
      return compact({ Condition: 'on-failure', MaxAttempts: count !== undefined ? toInteger(count, servicePath(service.name, 'restart')) : undefined });
    default:
      throw new BerthError(`unknown restart policy "${restart}"`, { path: servicePath(service.name, 'restart') });
  }
}

function placement(service: ServiceConfig, deploy: Dict, path: TreePath): Record<string, unknown> | undefined {
  const raw = deploy.placement;
  const at = (key: string): TreePath => [...path, 'placement', key];
  const out: Record<string, unknown> = {};
  if (isPresent(raw)) {
    if (!isDict(raw)) throw new BerthError('expected a mapping', { path: [...path, 'placement'] });
    const constraints = isPresent(raw.constraints) ? toStringList(raw.constraints, at('constraints')) : [];
    if (constraints.length > 0) out.Constraints = constraints;
    const preferences = Array.isArray(raw.preferences) ? raw.preferences : [];
    if (preferences.length > 0) {
      out.Preferences = preferences.map((preference: unknown, index) => {
        if (!isDict(preference) || !isPresent(preference.spread)) throw new BerthError('expected {spread: <label>}', { path: [...at('preferences'), index] });
        return { Spread: { SpreadDescriptor: toText(preference.spread, [...at('preferences'), index, 'spread']) } };
      });
    }
    if (isPresent(raw.max_replicas_per_node)) out.MaxReplicas = toInteger(raw.max_replicas_per_node, at('max_replicas_per_node'));
  }
  if (typeof service.platform === 'string' && service.platform !== '') {
    const [os = '', architecture] = service.platform.split('/');
    out.Platforms = [compact({ OS: os, Architecture: architecture })];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function rollout(raw: unknown, path: TreePath): Record<string, unknown> | undefined {
  if (!isPresent(raw)) return undefined;
  if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
  const at = (key: string): TreePath => [...path, key];
  const parallelism = isPresent(raw.parallelism) ? toInteger(raw.parallelism, at('parallelism')) : 1;
  return compact({
    // Zero means "all at once" to the swarm: it is sent, not left out.
    Parallelism: parallelism,
    Delay: isPresent(raw.delay) ? parseDuration(raw.delay, at('delay')) : undefined,
    FailureAction: isPresent(raw.failure_action) ? toText(raw.failure_action, at('failure_action')) : undefined,
    Monitor: isPresent(raw.monitor) ? parseDuration(raw.monitor, at('monitor')) : undefined,
    MaxFailureRatio: isPresent(raw.max_failure_ratio) ? toNumber(raw.max_failure_ratio, at('max_failure_ratio')) : undefined,
    Order: isPresent(raw.order) ? toText(raw.order, at('order')) : undefined,
  });
}

function endpoint(service: ServiceConfig, deploy: Dict, path: TreePath): Record<string, unknown> | undefined {
  const endpointMode = isPresent(deploy.endpoint_mode) ? toText(deploy.endpoint_mode, [...path, 'endpoint_mode']) : undefined;
  if (endpointMode !== undefined && endpointMode !== 'vip' && endpointMode !== 'dnsrr') {
    throw new BerthError(`unknown endpoint_mode "${endpointMode}": use vip or dnsrr`, { path: [...path, 'endpoint_mode'] });
  }
  const ports = (service.ports ?? []).map((port, index) => {
    const at = servicePath(service.name, 'ports', index);
    const published = port.published === undefined || port.published === '' ? undefined : port.published;
    if (published !== undefined && !/^\d+$/.test(published)) throw new BerthError(`a swarm publishes one port per entry, not the range ${published}`, { path: at });
    if (port.host_ip) throw new BerthError('host_ip cannot be used by a swarm service (ports are published on every node)', { path: at });
    return compact({
      Protocol: port.protocol ?? 'tcp',
      TargetPort: port.target,
      PublishedPort: published === undefined ? undefined : Number(published),
      PublishMode: port.mode ?? 'ingress',
    });
  });
  const key = (port: Record<string, unknown>) => `${String(port.Protocol)}/${String(port.TargetPort).padStart(5, '0')}/${String(port.PublishedPort ?? '').padStart(5, '0')}`;
  ports.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (endpointMode === undefined && ports.length === 0) return undefined;
  return compact({ Mode: endpointMode ?? 'vip', Ports: ports.length > 0 ? ports : undefined });
}
