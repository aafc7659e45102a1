// A swarm manager's objects over the Engine API: the swarm state of the engine, services (with their version, so an
// update names the spec it replaces), tasks, overlay networks, secrets and configs, and registry digests
// (`/distribution`) so that every node runs the same image bytes. Plain data in and out, as the rest of the client.
import type { Filters } from './containers.js';
import { encodeAuth } from './credentials.js';
import type { Credentials } from './credentials.js';
import { statusOf } from './transport.js';
import type { Transport } from './transport.js';

/** A service spec as the Engine API reads and returns it (`ServiceSpec`); the converter fills what compose says. */
export interface ServiceSpec {
  readonly Name: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate: Readonly<Record<string, unknown>>;
  readonly Mode?: Readonly<Record<string, unknown>>;
  readonly UpdateConfig?: Readonly<Record<string, unknown>>;
  readonly RollbackConfig?: Readonly<Record<string, unknown>>;
  readonly EndpointSpec?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

export interface SwarmService {
  readonly id: string;
  /** The object version an update must name (`?version=`). */
  readonly version: number;
  readonly spec: ServiceSpec;
  /** Where a rolling update stands (`updating`, `completed`, `paused`, `rollback_*`), when one ran. */
  readonly updateState?: string;
  readonly updateMessage?: string;
  /** When the last rolling update started (it changes with each one). */
  readonly updateStartedAt?: string;
  /** Present with `status=true` in a list: how many tasks run and are wanted. */
  readonly running?: number;
  readonly desired?: number;
  /** Published ports as the manager assigned them. */
  readonly ports: ReadonlyArray<{ readonly Protocol?: string; readonly TargetPort?: number; readonly PublishedPort?: number; readonly PublishMode?: string }>;
}

export interface SwarmTask {
  readonly id: string;
  readonly serviceId: string;
  readonly slot?: number;
  readonly nodeId?: string;
  readonly desiredState: string;
  readonly state: string;
  /** The state's time, RFC 3339. */
  readonly timestamp?: string;
  readonly message?: string;
  /** Why it failed, when it did. */
  readonly error?: string;
  readonly exitCode?: number;
  readonly image?: string;
  readonly createdAt?: string;
  /** The task template it was made from (a copy of its service's TaskTemplate at the time). */
  readonly spec?: Readonly<Record<string, unknown>>;
}

export interface SwarmNetworkCreate {
  readonly Name: string;
  readonly Driver: string;
  readonly Attachable?: boolean;
  readonly Internal?: boolean;
  readonly Options?: Readonly<Record<string, string>>;
  readonly IPAM?: unknown;
  readonly Labels: Readonly<Record<string, string>>;
  readonly EnableIPv6?: boolean;
}

/** A secret or a config: both are a name, labels and data (the engine never returns a secret's data). */
export interface SwarmFileObject {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type FileObjectKind = 'secrets' | 'configs';

export interface SwarmState {
  /** This engine's node state: `inactive`, `pending`, `active`, `error`, `locked`. */
  readonly localNodeState: string;
  /** True on a manager: the one kind of node that takes services. */
  readonly manager: boolean;
  readonly nodeId: string;
  readonly error?: string;
}

export interface Swarm {
  state(): Promise<SwarmState>;
  services(filters: Filters): Promise<SwarmService[]>;
  /** undefined when there is no such service. */
  service(idOrName: string): Promise<SwarmService | undefined>;
  /** Returns the new service's id; the image's registry credentials go with it so that nodes can pull. */
  createService(spec: ServiceSpec): Promise<{ id: string; warnings: string[] }>;
  updateService(id: string, version: number, spec: ServiceSpec): Promise<{ warnings: string[] }>;
  /** Back to the spec the manager kept from before the last update (`docker service rollback`). */
  rollbackService(id: string): Promise<void>;
  removeService(id: string): Promise<void>;
  tasks(filters: Filters): Promise<SwarmTask[]>;
  nodeNames(): Promise<Map<string, string>>;
  networks(filters: Filters): Promise<Array<{ id: string; name: string; driver: string; scope: string; labels: Readonly<Record<string, string>> }>>;
  createNetwork(body: SwarmNetworkCreate): Promise<string>;
  removeNetwork(id: string): Promise<void>;
  list(kind: FileObjectKind, filters: Filters): Promise<SwarmFileObject[]>;
  create(kind: FileObjectKind, body: { Name: string; Labels: Readonly<Record<string, string>>; Data: string }): Promise<string>;
  remove(kind: FileObjectKind, id: string): Promise<void>;
  /** The registry's manifest digest of an image (`sha256:...`), asked with the user's credentials for its registry. */
  digest(reference: string): Promise<string>;
  /** True when the engine holds the image itself (to tell "only local: push it" from "does not exist"). */
  hasLocalImage(reference: string): Promise<boolean>;
}

interface RawService {
  ID: string;
  Version?: { Index?: number };
  Spec: ServiceSpec;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string } | null;
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number } | null;
  Endpoint?: { Ports?: SwarmService['ports'] | null } | null;
}

interface RawTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Spec?: { ContainerSpec?: { Image?: string } } & Record<string, unknown>;
  Status?: { Timestamp?: string; State?: string; Message?: string; Err?: string; ContainerStatus?: { ExitCode?: number } };
}

const service = (raw: RawService): SwarmService => ({
  id: raw.ID,
  version: raw.Version?.Index ?? 0,
  spec: raw.Spec,
  ...(raw.UpdateStatus?.State ? { updateState: raw.UpdateStatus.State } : {}),
  ...(raw.UpdateStatus?.Message ? { updateMessage: raw.UpdateStatus.Message } : {}),
  ...(raw.UpdateStatus?.StartedAt ? { updateStartedAt: raw.UpdateStatus.StartedAt } : {}),
  ...(raw.ServiceStatus ? { running: raw.ServiceStatus.RunningTasks ?? 0, desired: raw.ServiceStatus.DesiredTasks ?? 0 } : {}),
  ports: raw.Endpoint?.Ports ?? [],
});

const task = (raw: RawTask): SwarmTask => ({
  id: raw.ID,
  serviceId: raw.ServiceID,
  ...(raw.Slot !== undefined ? { slot: raw.Slot } : {}),
  ...(raw.NodeID ? { nodeId: raw.NodeID } : {}),
  desiredState: raw.DesiredState ?? '',
  state: raw.Status?.State ?? '',
  ...(raw.Status?.Timestamp ? { timestamp: raw.Status.Timestamp } : {}),
  ...(raw.Status?.Message ? { message: raw.Status.Message } : {}),
  ...(raw.Status?.Err ? { error: raw.Status.Err } : {}),
  ...(raw.Status?.ContainerStatus?.ExitCode !== undefined ? { exitCode: raw.Status.ContainerStatus.ExitCode } : {}),
  ...(raw.Spec?.ContainerSpec?.Image ? { image: raw.Spec.ContainerSpec.Image } : {}),
  ...(raw.CreatedAt ? { createdAt: raw.CreatedAt } : {}),
  ...(raw.Spec ? { spec: raw.Spec } : {}),
});

const warningsOf = (raw: { Warnings?: string[] | null } | null | undefined): string[] => raw?.Warnings ?? [];

export function swarmOf(engine: { readonly transport: Transport }, credentials: Pick<Credentials, 'authFor'>): Swarm {
  const { request } = engine.transport;
  const query = (filters: Filters) => ({ filters: JSON.stringify(filters) });
  const authHeaders = async (spec: ServiceSpec): Promise<Record<string, string>> => {
    const image = (spec.TaskTemplate.ContainerSpec as { Image?: string } | undefined)?.Image;
    return image ? { 'X-Registry-Auth': encodeAuth(await credentials.authFor(image)) } : {};
  };
  const notFoundIsUndefined = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  return {
    async state() {
      const info = await request<{ Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Error?: string } }>('GET', '/info');
      const swarm = info.Swarm ?? {};
      return {
        localNodeState: swarm.LocalNodeState || 'inactive',
        manager: swarm.ControlAvailable === true,
        nodeId: swarm.NodeID ?? '',
        ...(swarm.Error ? { error: swarm.Error } : {}),
      };
    },
    async services(filters) {
      return (await request<RawService[]>('GET', '/services', { query: { ...query(filters), status: true } })).map(service);
    },
    async service(idOrName) {
      const raw = await notFoundIsUndefined(() => request<RawService>('GET', `/services/${encodeURIComponent(idOrName)}`, { query: { insertDefaults: false } }));
      return raw && service(raw);
    },
    async createService(spec) {
      const created = await request<{ ID: string; Warnings?: string[] | null }>('POST', '/services/create', { body: spec, headers: await authHeaders(spec) });
      return { id: created.ID, warnings: warningsOf(created) };
    },
    async updateService(id, version, spec) {
      const updated = await request<{ Warnings?: string[] | null }>('POST', `/services/${encodeURIComponent(id)}/update`, {
        query: { version },
        body: spec,
        headers: await authHeaders(spec),
      });
      return { warnings: warningsOf(updated) };
    },
    async rollbackService(id) {
      // The manager swaps in its stored previous spec; the body names the version being replaced, as the CLI sends it.
      const current = await request<RawService>('GET', `/services/${encodeURIComponent(id)}`, { query: { insertDefaults: false } });
      await request('POST', `/services/${encodeURIComponent(id)}/update`, {
        query: { version: current.Version?.Index ?? 0, rollback: 'previous' },
        body: current.Spec,
        headers: await authHeaders(current.Spec),
      });
    },
    async removeService(id) {
      await request('DELETE', `/services/${encodeURIComponent(id)}`);
    },
    async tasks(filters) {
      return (await request<RawTask[]>('GET', '/tasks', { query: query(filters) })).map(task);
    },
    async nodeNames() {
      const nodes = await request<Array<{ ID: string; Description?: { Hostname?: string } }>>('GET', '/nodes');
      return new Map(nodes.map((node) => [node.ID, node.Description?.Hostname ?? node.ID]));
    },
    async networks(filters) {
      const raw = await request<Array<{ Id: string; Name: string; Driver?: string; Scope?: string; Labels?: Record<string, string> | null }>>('GET', '/networks', { query: query(filters) });
      return raw.map((network) => ({ id: network.Id, name: network.Name, driver: network.Driver ?? '', scope: network.Scope ?? '', labels: network.Labels ?? {} }));
    },
    async createNetwork(body) {
      return (await request<{ Id: string }>('POST', '/networks/create', { body: { ...body, Scope: 'swarm', CheckDuplicate: true } })).Id;
    },
    async removeNetwork(id) {
      await request('DELETE', `/networks/${encodeURIComponent(id)}`);
    },
    async list(kind, filters) {
      const raw = await request<Array<{ ID: string; Spec?: { Name?: string; Labels?: Record<string, string> | null } }>>('GET', `/${kind}`, { query: query(filters) });
      return raw.map((object) => ({ id: object.ID, name: object.Spec?.Name ?? '', labels: object.Spec?.Labels ?? {} }));
    },
    async create(kind, body) {
      return (await request<{ ID: string }>('POST', `/${kind}/create`, { body })).ID;
    },
    async remove(kind, id) {
      await request('DELETE', `/${kind}/${encodeURIComponent(id)}`);
    },
    async digest(reference) {
      const auth = encodeAuth(await credentials.authFor(reference));
      const answer = await request<{ Descriptor?: { digest?: string } }>('GET', `/distribution/${reference}/json`, { headers: { 'X-Registry-Auth': auth } });
      const digest = answer.Descriptor?.digest;
      if (!digest) throw new Error(`the engine gave no digest for ${reference}`);
      return digest;
    },
    async hasLocalImage(reference) {
      return (await notFoundIsUndefined(() => request('GET', `/images/${encodeURIComponent(reference)}/json`))) !== undefined;
    },
  };
}
