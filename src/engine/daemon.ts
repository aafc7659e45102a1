// berth's engine process: the stores, services and server wired together. `berth engine` runs this in the
// foreground; containers outlive it (their monitors hold them) and are adopted again at the next start.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { Builder } from './services/build/builder.js';
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
import { findTools } from './runtime/tools.js';
import { createEngineServer, listen } from './server/server.js';
import { Layout } from './store/layout.js';

export interface EngineOptions {
  readonly root: string;
  readonly socket: string;
  readonly runtime: string;
  readonly version: string;
  readonly log: (line: string) => void;
}

export interface RunningEngine {
  readonly server: Server;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const tools = findTools(options.runtime);
  const layout = new Layout(options.root);
  mkdirSync(layout.tmp, { recursive: true });
  const events = new EventBus();
  const runtime = new RuncDriver(tools, layout);
  let containers: ContainerService | undefined;
  const images = new ImageService(layout, tools, { emit: (action, id, attributes) => events.emit('image', action, id, attributes) }, (id) => containers?.imageUser(id));
  const volumes = new VolumeService(layout, events);
  volumes.adopt();
  const links = new LinkDriver();
  let networking: ContainerNetworking | undefined;
  const resolver = new NetworkResolver({ lookup: (id, name) => networking?.lookup(id, name), upstreams: (id, source) => networking?.upstreams(id, source) ?? [] });
  const { filter, warning } = await detectPacketFilter(engineTag(options.root));
  const networks = new NetworkService(layout, links, events, {
    filter,
    ...(warning ? { filterWarning: warning } : {}),
    log: options.log,
    released: (id) => resolver.close(id),
  });
  await networks.adopt();
  const proxies = new PortProxies();
  networking = new ContainerNetworking(networks, links, proxies, resolver, () => containers?.all() ?? [], options.log);
  containers = new ContainerService(layout, images, runtime, events, new HealthChecker(layout, tools), volumes, networking, options.log);
  containers.adopt();
  const execs = new ExecService(layout, tools, containers, events);
  const commit = { layout, tools, images, containers, runtime, events };
  const builder = new Builder(commit);
  const server = createEngineServer({ layout, images, containers, volumes, networks, builder, execs, commit, events, version: options.version, runtimePath: options.runtime }, options.log);
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
