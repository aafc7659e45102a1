// berth's engine process: the stores, services and server wired together. `berth engine` runs this in the
// foreground; containers outlive it (their monitors hold them) and are adopted again at the next start.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngineSettings } from './engine-config.js';
import type { EngineSettingsFlags } from './engine-config.js';
import type { Server } from 'node:http';
import { crashPoints } from './crash-points.js';
import { lockRoot } from './root-lock.js';
import type { Builder } from './services/build/builder.js';
import type { ContainerRecord } from './services/container-record.js';
import { ContainerService } from './services/containers.js';
import { EventBus } from './services/events.js';
import { HealthChecker } from './services/health.js';
import { ExecService } from './services/exec.js';
import { ImageService } from './services/images.js';
import { VolumeService } from './services/volumes.js';
import { NetworkResolver } from './services/dns-server.js';
import { ContainerNetworking } from './services/endpoints.js';
import { engineTag, NetworkService } from './services/networks.js';
import { PortProxies } from './services/port-proxy.js';
import { RuncDriver } from './runtime/runc.js';
import { LinkDriver } from './runtime/links.js';
import { detectPacketFilter } from './runtime/netfilter.js';
import { findTools, startProgramsThrough } from './runtime/tools.js';
import { localPrograms, startSpawner, throughSpawner } from './spawner.js';
import type { RegistryServices } from './server/routes.js';
import { createEngineServer, listen } from './server/server.js';
import { Layout } from './store/layout.js';
import { LayerStore } from './store/layers.js';

export interface EngineOptions {
  readonly root: string;
  readonly socket: string;
  readonly runtime: string;
  readonly version: string;
  readonly log: (line: string) => void;
  /** Flags that add to or override `<root>/daemon.json` (registries, mirrors, concurrency). */
  readonly settings?: EngineSettingsFlags;
  /** Test-only: BERTH_ENGINE_CRASH_AT, a point where the engine kills itself (see crash-points.ts). */
  readonly crashAt?: string;
}

export interface RunningEngine {
  readonly server: Server;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const tools = findTools(options.runtime);
  const layout = new Layout(options.root);
  mkdirSync(layout.tmp, { recursive: true });
  // Before anything on the root is read or changed: no second engine on it.
  const lock = await lockRoot(options.root);
  const settings = loadEngineSettings(options.root, options.settings ?? {}, options.log);
  // Layers half-unpacked when an earlier engine died (never mounted, never referenced) go.
  for (const name of readdirSync(layout.tmp)) if (name.startsWith('layer-')) rmSync(join(layout.tmp, name), { recursive: true, force: true });
  const events = new EventBus();
  const runtime = new RuncDriver(tools, layout);
  let containers: ContainerService | undefined;
  const imageEvents = { emit: (action: string, id: string, attributes: Record<string, string>) => events.emit('image', action, id, attributes) };
  // Started while the engine is small: every program started through it spares the engine a fork (see spawner.c).
  const spawner = await startSpawner(tools.spawner, join(layout.tmp, 'spawner.sock')).catch((error: Error) => {
    options.log(`${error.message}; the engine starts programs itself (each start then forks the engine, which is slower)`);
    return undefined;
  });
  const programs = spawner ? throughSpawner(spawner) : localPrograms;
  startProgramsThrough(programs);
  const images = new ImageService(layout, new LayerStore(layout, tools.whiteouts, (argv) => programs.filter(argv)), imageEvents, (id) => containers?.imageUser(id));
  // The registry client (pull, push, login) is loaded by the first request that needs it: its code and node's TLS
  // stack are ~4 MiB that an engine which never pulls need not hold.
  let registryLoaded: Promise<RegistryServices> | undefined;
  const registry = (): Promise<RegistryServices> =>
    (registryLoaded ??= Promise.all([import('./services/registry/client.js'), import('./services/registry/pull.js'), import('./services/registry/push.js')]).then(
      ([{ RegistryClient }, { PullService }, { PushService, pushError }]) => {
        const client = new RegistryClient(settings.registry);
        return { client, pulls: new PullService(images, client, imageEvents), pushes: new PushService(images, client, imageEvents), pushError };
      },
      (error: unknown) => {
        registryLoaded = undefined;
        throw error;
      },
    ));
  const volumes = new VolumeService(layout, events);
  await volumes.adopt();
  const links = new LinkDriver();
  let networking: ContainerNetworking | undefined;
  const resolver = new NetworkResolver({ lookup: (id, name) => networking?.lookup(id, name), upstreams: (id, source) => networking?.upstreams(id, source) ?? [] });
  const { filter, warning, choice } = await detectPacketFilter(engineTag(options.root));
  options.log(`packet filter: ${choice}`);
  const networks = new NetworkService(layout, links, events, {
    filter,
    ...(warning ? { filterWarning: warning } : {}),
    log: options.log,
    released: (id) => resolver.close(id),
  });
  await networks.adopt();
  const proxies = new PortProxies();
  networking = new ContainerNetworking(networks, links, proxies, resolver, () => containers?.all() ?? [], options.log);
  containers = new ContainerService({ layout, images, runtime, events, health: new HealthChecker(layout, tools), volumes, networking, log: options.log, crash: crashPoints(options.crashAt) });
  await containers.adopt();
  const execs = new ExecService(layout, tools, containers, events);
  const commit = { layout, tools, images, containers, runtime, events };
  // The builder's code is loaded by the first build: most engine runs never build, and it is kept out of their memory.
  let loaded: Promise<Builder> | undefined;
  const builder = {
    async build(...args: Parameters<Builder['build']>): ReturnType<Builder['build']> {
      loaded ??= import('./services/build/builder.js').then(({ Builder }) => new Builder(commit, { pullImage: async (...args) => (await registry()).pulls.pullImage(...args) }));
      return (await loaded).build(...args);
    },
  };
  const server = createEngineServer({ layout, images, registry, registryOptions: settings.registry, containers, volumes, networks, builder, execs, commit, events, version: options.version, runtimePath: options.runtime }, options.log);
  await listen(server, options.socket);
  return {
    server,
    async close() {
      proxies.closeAll();
      resolver.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // What the host keeps for containers that outlive the engine: the networks they are on.
      await networks.releaseHost(networksInUse(containers?.all() ?? []));
      startProgramsThrough(undefined);
      spawner?.stop();
      await lock.release();
    },
  };
}

/** Networks with an endpoint of a running (or paused) container. */
function networksInUse(records: readonly ContainerRecord[]): Set<string> {
  const inUse = new Set<string>();
  for (const record of records) {
    if (record.state.status !== 'running' && record.state.status !== 'paused') continue;
    for (const endpoint of Object.values(record.networks ?? {})) if (endpoint.ipAddress) inUse.add(endpoint.networkId);
  }
  return inUse;
}
