// berth's engine process: the stores, services and server wired together. `berth engine` runs this in the
// foreground; containers outlive it (their monitors hold them) and are adopted again at the next start.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { crashPoints } from './crash-points.js';
import { Builder } from './services/build/builder.js';
import { ContainerService } from './services/containers.js';
import { EventBus } from './services/events.js';
import { HealthChecker } from './services/health.js';
import { ExecService } from './services/exec.js';
import { ImageService } from './services/images.js';
import { VolumeService } from './services/volumes.js';
import { NetworkResolver } from './services/dns-server.js';
import { ContainerNetworking } from './services/endpoints.js';
import { NetworkService } from './services/networks.js';
import { PortProxies } from './services/port-proxy.js';
import { RuncDriver } from './runtime/runc.js';
import { LinkDriver } from './runtime/links.js';
import { findTools } from './runtime/tools.js';
import { createEngineServer, listen } from './server/server.js';
import { Layout } from './store/layout.js';

export interface EngineOptions {
  readonly root: string;
  readonly socket: string;
  readonly runtime: string;
  readonly version: string;
  readonly log: (line: string) => void;
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
  const events = new EventBus();
  const runtime = new RuncDriver(tools, layout);
  let containers: ContainerService | undefined;
  const images = new ImageService(layout, tools, { emit: (action, id, attributes) => events.emit('image', action, id, attributes) }, (id) => containers?.imageUser(id));
  const volumes = new VolumeService(layout, events);
  volumes.adopt();
  const links = new LinkDriver();
  const networks = new NetworkService(layout, links, events);
  await networks.adopt();
  const proxies = new PortProxies();
  let networking: ContainerNetworking | undefined;
  const resolver = new NetworkResolver({ lookup: (id, name) => networking?.lookup(id, name), upstreams: (id, source) => networking?.upstreams(id, source) ?? [] });
  networking = new ContainerNetworking(networks, links, proxies, resolver, () => containers?.all() ?? []);
  containers = new ContainerService({ layout, images, runtime, events, health: new HealthChecker(layout, tools), volumes, networking, log: options.log, crash: crashPoints(options.crashAt) });
  await containers.adopt();
  const execs = new ExecService(layout, tools, containers, events);
  const commit = { layout, tools, images, containers, runtime, events };
  const builder = new Builder(commit);
  const server = createEngineServer({ layout, images, containers, volumes, networks, builder, execs, commit, events, version: options.version, runtimePath: options.runtime }, options.log);
  await listen(server, options.socket);
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        proxies.closeAll();
        resolver.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
