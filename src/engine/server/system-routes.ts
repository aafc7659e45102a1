// _ping, version, info and the event stream.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { EngineEvent, EventBus } from '../services/events.js';
import { API_VERSION, MIN_API_VERSION } from './api-version.js';
import { labelMatches } from './filters.js';
import { sendJson } from './http.js';
import type { QueryOf } from '../../engine-api/query.js';
import { EventsQuery } from '../../engine-api/system.js';
import { describeRegistryConfig } from '../services/registry/options.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addSystemRoutes(router: Router, services: EngineServices): void {
  router.add('GET', '/_ping', ({ response, request }) => {
    response.writeHead(200, {
      'Api-Version': API_VERSION,
      Ostype: 'linux',
      'Docker-Experimental': 'false',
      'Builder-Version': '1',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': request.method === 'HEAD' ? '0' : '2',
    });
    response.end(request.method === 'HEAD' ? undefined : 'OK');
  });
  router.add('GET', '/version', ({ response }) => {
    const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: 'amd64', KernelVersion: release() };
    sendJson(response, 200, {
      Platform: { Name: 'berth engine' },
      Components: [{ Name: 'Engine', Version: services.version, Details: { ...details, GitCommit: '', GoVersion: process.version } }],
      Version: services.version,
      ...details,
      GitCommit: '',
      GoVersion: process.version,
      BuildTime: '',
    });
  });
  router.add('GET', '/info', ({ response }) => {
    const all = services.containers.all();
    const count = (status: string): number => all.filter((record) => record.state.status === status).length;
    sendJson(response, 200, {
      ID: 'berth',
      Containers: all.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: all.length - count('running') - count('paused'),
      Images: services.images.list().length,
      Driver: 'overlay2',
      DriverStatus: [],
      Plugins: { Volume: [], Network: ['host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: services.networks.forwarding(),
      Debug: false,
      NFd: 0,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: cgroupVersion(),
      NEventsListener: 0,
      KernelVersion: release(),
      OperatingSystem: 'berth engine',
      OSVersion: '',
      OSType: 'linux',
      Architecture: 'x86_64',
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: describeRegistryConfig(services.registryOptions),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      DockerRootDir: services.layout.root,
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: services.version,
      Runtimes: { runc: { path: services.runtimePath } },
      DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: '',
      SecurityOptions: ['name=seccomp,profile=builtin'],
      Warnings: services.networks.warnings(),
    });
  });
  router.add('GET', '/events', { query: EventsQuery }, ({ request, response, q }) => streamEvents(services.events, request, response, q));
}

function streamEvents(events: EventBus, request: IncomingMessage, response: ServerResponse, q: QueryOf<typeof EventsQuery>): void {
  const filters = q.filters ?? new Map<string, string[]>();
  const since = q.since === undefined ? undefined : Number(q.since);
  const until = q.until === undefined ? undefined : Number(q.until);
  const keep = (event: EngineEvent): boolean => {
    for (const [name, values] of filters) {
      const attributes = event.Actor.Attributes;
      const ok =
        name === 'type' ? values.includes(event.Type)
        : name === 'event' ? values.some((value) => event.Action === value || event.Action.startsWith(`${value}:`))
        : name === 'container' ? event.Type === 'container' && values.some((value) => event.Actor.ID.startsWith(value) || attributes.name === value)
        : name === 'image' ? values.some((value) => attributes.image === value || event.Actor.ID === value)
        : name === 'label' ? values.some((value) => labelMatches(attributes, value))
        : true;
      if (!ok) return false;
    }
    return until === undefined || event.time <= until;
  };
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.flushHeaders();
  if (since !== undefined) for (const event of events.since(since)) if (keep(event)) response.write(`${JSON.stringify(event)}\n`);
  if (until !== undefined && until * 1000 <= Date.now()) {
    response.end();
    return;
  }
  const release = events.subscribe((event) => {
    if (keep(event)) response.write(`${JSON.stringify(event)}\n`);
  });
  // A timer cannot wait longer than 2^31-1 ms (it would fire at once): an `until` further away is never reached.
  const wait = until !== undefined ? until * 1000 - Date.now() : undefined;
  const timer = wait !== undefined && wait <= 2 ** 31 - 1 ? setTimeout(() => response.end(), wait) : undefined;
  request.on('close', () => {
    release();
    if (timer) clearTimeout(timer);
  });
}

function cgroupVersion(): string {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
}
