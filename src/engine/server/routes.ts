// The Engine API routes berth's engine serves: system, images, containers, events. Each handler reads the request,
// calls a service and writes the answer; rules live in the services.
import { existsSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, invalid } from '../errors.js';
import type { ContainerService } from '../services/containers.js';
import type { ContainerRecord, CreateConfig } from '../services/container-record.js';
import type { EngineEvent, EventBus } from '../services/events.js';
import type { ExecConfig, ExecService } from '../services/exec.js';
import type { CommitServices } from '../services/commit.js';
import type { ImageService } from '../services/images.js';
import { frame, readLog } from '../services/logs.js';
import type { Layout } from '../store/layout.js';
import { addContentRoutes } from './content-routes.js';
import { containerInspect, containerSummary, imageInspect, imageSummary } from './format.js';
import { queryBoolean, queryFilters, queryInteger, readJson, sendEmpty, sendJson } from './http.js';
import { Router } from './router.js';

export const API_VERSION = '1.44';
export const MIN_API_VERSION = '1.24';

export interface EngineServices {
  readonly layout: Layout;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  readonly commit: CommitServices;
  readonly events: EventBus;
  readonly version: string;
  readonly runtimePath: string;
}

export function buildRouter(services: EngineServices): Router {
  const router = new Router();
  addSystemRoutes(router, services);
  addImageRoutes(router, services);
  addContainerRoutes(router, services);
  addNetworkAndVolumeRoutes(router);
  addExecRoutes(router, services);
  addContentRoutes(router, services);
  return router;
}

function addExecRoutes(router: Router, services: EngineServices): void {
  const { execs } = services;
  router.add('POST', '/containers/{id}/exec', async ({ request, response, params }) => {
    const config = await readJson<ExecConfig>(request);
    if (!config) throw invalid('exec config cannot be empty');
    sendJson(response, 201, { Id: execs.create(params.id!, config).id });
  });
  router.add('POST', '/exec/{id}/start', async ({ request, response, params }) => {
    const body = (await readJson<{ Detach?: boolean; Tty?: boolean }>(request)) ?? {};
    execs.get(params.id!);
    if (body.Detach) {
      void execs.start(params.id!, undefined);
      sendEmpty(response, 200);
      return;
    }
    // Without an upgrade the output comes as the response body, framed.
    response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    response.flushHeaders();
    const tty = Boolean(execs.get(params.id!).config.Tty);
    await execs.start(params.id!, { output: (stream, chunk) => response.write(tty ? chunk : frame(stream, chunk)) });
    response.end();
  });
  router.add('GET', '/exec/{id}/json', ({ response, params }) => sendJson(response, 200, execs.inspect(params.id!)));
  router.add('POST', '/exec/{id}/resize', ({ response, params }) => {
    execs.get(params.id!);
    sendEmpty(response, 200);
  });
}

/** Part 1 of the engine has the predefined `host` and `none` networks and no volumes; creating either is refused. */
const PREDEFINED_NETWORKS = [
  { Name: 'host', Id: 'host', Driver: 'host' },
  { Name: 'none', Id: 'none', Driver: 'null' },
].map((network) => ({
  ...network,
  Created: '0001-01-01T00:00:00Z',
  Scope: 'local',
  EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigOnly: false,
  Containers: {},
  Options: {},
  Labels: {},
}));

function addNetworkAndVolumeRoutes(router: Router): void {
  router.add('GET', '/networks', ({ response, query }) => {
    const filters = queryFilters(query);
    const list = PREDEFINED_NETWORKS.filter((network) => {
      for (const [name, values] of filters) {
        if (name === 'label') return false;
        if (name === 'name' && !values.some((value) => network.Name.includes(value))) return false;
        if (name === 'id' && !values.some((value) => network.Id.startsWith(value))) return false;
        if (name === 'driver' && !values.includes(network.Driver)) return false;
      }
      return true;
    });
    sendJson(response, 200, list);
  });
  router.add('GET', '/networks/{id}', ({ response, params }) => {
    const network = PREDEFINED_NETWORKS.find((candidate) => candidate.Name === params.id || candidate.Id === params.id);
    if (!network) throw new EngineError('not-found', `network ${params.id} not found`);
    sendJson(response, 200, network);
  });
  router.add('POST', '/networks/create', () => {
    throw new EngineError('unsupported', "creating networks is not supported by berth's engine yet");
  });
  router.add('GET', '/volumes', ({ response }) => sendJson(response, 200, { Volumes: [], Warnings: [] }));
  router.add('GET', '/volumes/{name}', ({ params }) => {
    throw new EngineError('not-found', `get ${params.name}: no such volume`);
  });
  router.add('POST', '/volumes/create', () => {
    throw new EngineError('unsupported', "creating volumes is not supported by berth's engine yet");
  });
}

function addSystemRoutes(router: Router, services: EngineServices): void {
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
      IPv4Forwarding: false,
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
      RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
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
      Warnings: [],
    });
  });
  router.add('GET', '/events', ({ request, response, query }) => streamEvents(services.events, request, response, query));
}

function addImageRoutes(router: Router, services: EngineServices): void {
  const { images } = services;
  router.add('POST', '/images/load', async ({ request, response }) => {
    const messages = await images.load(request);
    // With or without `quiet`, the answer is the same lines: berth shows no progress bar for a load.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    for (const message of messages) response.write(`${JSON.stringify({ stream: `${message}\n` })}\n`);
    response.end();
  });
  router.add('GET', '/images/json', ({ response, query }) => {
    const filters = queryFilters(query);
    let list = images.list();
    const dangling = filters.get('dangling');
    if (dangling) list = list.filter((image) => (images.tagsOf(image.id).length === 0) === (dangling[0] === 'true' || dangling[0] === '1'));
    for (const label of filters.get('label') ?? []) list = list.filter((image) => labelMatches(image.config.config?.Labels ?? {}, label));
    const references = filters.get('reference');
    if (references) list = list.filter((image) => images.tagsOf(image.id).some((tag) => references.some((pattern) => globMatch(pattern, tag) || globMatch(pattern, tag.split(':')[0]!))));
    sendJson(response, 200, list.map((image) => imageSummary(image, images)));
  });
  router.add('GET', '/images/{name*}/json', ({ response, params }) => sendJson(response, 200, imageInspect(images.resolve(params.name!), images, services.layout)));
  router.add('GET', '/images/{name*}/history', ({ response, params }) => {
    const image = images.resolve(params.name!);
    const history = [...(image.config.history ?? [])].reverse();
    sendJson(
      response,
      200,
      history.map((entry, index) => ({
        Id: index === 0 ? image.id : '<missing>',
        Created: entry.created ? Math.floor(Date.parse(entry.created) / 1000) : 0,
        CreatedBy: entry.created_by ?? '',
        Tags: index === 0 ? images.tagsOf(image.id) : null,
        Size: 0,
        Comment: entry.comment ?? '',
      })),
    );
  });
  router.add('POST', '/images/{name*}/tag', ({ response, params, query }) => {
    images.tag(params.name!, query.get('repo') ?? '', query.get('tag') ?? undefined);
    sendEmpty(response, 201);
  });
  router.add('DELETE', '/images/{name*}', ({ response, params, query }) => sendJson(response, 200, images.remove(params.name!, queryBoolean(query, 'force'))));
}

function addContainerRoutes(router: Router, services: EngineServices): void {
  const { containers, layout } = services;
  router.add('POST', '/containers/create', async ({ request, response, query }) => {
    const body = await readJson<CreateConfig>(request);
    if (!body) throw invalid('config cannot be empty in order to create a container');
    const platform = query.get('platform');
    if (platform && !/^linux(\/amd64)?$/.test(platform)) throw invalid(`image platform ${platform} does not match the engine (linux/amd64)`);
    const record = containers.create(body, query.get('name'));
    sendJson(response, 201, { Id: record.id, Warnings: [] });
  });
  router.add('GET', '/containers/json', ({ response, query }) => {
    const filters = queryFilters(query);
    let list = containers.all();
    if (!queryBoolean(query, 'all') && !filters.has('status')) list = list.filter((record) => record.state.status === 'running' || record.state.status === 'paused');
    list = list.filter((record) => matchesFilters(record, filters, services));
    const limit = queryInteger(query, 'limit');
    if (limit !== undefined && limit > 0) list = list.slice(0, limit);
    sendJson(response, 200, list.map(containerSummary));
  });
  router.add('GET', '/containers/{id}/json', ({ response, params }) => sendJson(response, 200, containerInspect(containers.get(params.id!), layout)));
  router.add('POST', '/containers/{id}/start', async ({ response, params }) => {
    const outcome = await containers.start(params.id!);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  router.add('POST', '/containers/{id}/stop', async ({ response, params, query }) => {
    const outcome = await containers.stop(params.id!, queryInteger(query, 't'), query.get('signal') ?? undefined);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  router.add('POST', '/containers/{id}/restart', async ({ response, params, query }) => {
    await containers.restart(params.id!, queryInteger(query, 't'));
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/kill', async ({ response, params, query }) => {
    await containers.kill(params.id!, query.get('signal') || 'SIGKILL');
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/pause', async ({ response, params }) => {
    await containers.pause(params.id!);
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/unpause', async ({ response, params }) => {
    await containers.unpause(params.id!);
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/rename', ({ response, params, query }) => {
    const name = query.get('name');
    if (!name) throw invalid('name is required');
    containers.rename(params.id!, name);
    sendEmpty(response, 204);
  });
  router.add('DELETE', '/containers/{id}', async ({ response, params, query }) => {
    if (queryBoolean(query, 'link')) throw new EngineError('unsupported', 'removing links is not supported by berth\'s engine yet');
    await containers.remove(params.id!, queryBoolean(query, 'force'));
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/wait', async ({ response, params, query }) => {
    const record = containers.get(params.id!);
    const waiting = containers.wait(record.id, query.get('condition') ?? 'not-running');
    // Clients wait for the headers before starting the container: send them now, the body when it stops.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.flushHeaders();
    const code = await waiting;
    response.end(`${JSON.stringify({ StatusCode: code, Error: null })}\n`);
  });
  router.add('POST', '/containers/{id}/resize', ({ response, params, query }) => {
    containers.resize(params.id!, queryInteger(query, 'h') ?? 24, queryInteger(query, 'w') ?? 80);
    sendEmpty(response, 200);
  });
  router.add('GET', '/containers/{id}/logs', async ({ request, response, params, query }) => {
    const record = containers.get(params.id!);
    const stdout = queryBoolean(query, 'stdout');
    const stderr = queryBoolean(query, 'stderr');
    if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
    const tailText = query.get('tail');
    const tail = tailText && tailText !== 'all' ? Number(tailText) : undefined;
    const since = Number(query.get('since') ?? 0) || undefined;
    const until = Number(query.get('until') ?? 0) || undefined;
    const timestamps = queryBoolean(query, 'timestamps');
    response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    response.flushHeaders();
    const follower = readLog(
      layout.log(record.id),
      { stdout, stderr, ...(tail !== undefined && Number.isInteger(tail) ? { tail } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}) },
      (entry) => {
        const payload = Buffer.from(timestamps ? `${entry.time} ${entry.log}` : entry.log);
        // A terminal's output is one stream, sent as is; otherwise each chunk is framed with its stream.
        response.write(record.config.Tty ? payload : frame(entry.stream, payload));
      },
      queryBoolean(query, 'follow'),
      () => isRunning(containers, record.id),
    );
    request.on('close', () => follower.stop());
    containers.holdLog(record.id, follower);
    await follower.done;
    response.end();
  });
}

function isRunning(containers: ContainerService, id: string): boolean {
  try {
    const status = containers.get(id).state.status;
    return status === 'running' || status === 'paused' || status === 'created';
  } catch {
    return false;
  }
}

/** Requests that take over the connection (`Upgrade: tcp`): attach, and exec start. */
export function handleUpgrade(services: EngineServices, request: IncomingMessage, socket: Socket, path: string): void {
  const exec = /^\/exec\/([^/]+)\/start$/.exec(path);
  if (exec) return execUpgrade(services, socket, decodeURIComponent(exec[1]!));
  attachUpgrade(services, request, socket, path);
}

function rejectUpgrade(socket: Socket, status: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function execUpgrade(services: EngineServices, socket: Socket, id: string): void {
  let tty = false;
  try {
    tty = Boolean(services.execs.get(id).config.Tty);
  } catch (error) {
    return rejectUpgrade(socket, '404 Not Found', (error as Error).message);
  }
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.${tty ? 'raw' : 'multiplexed'}-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  // The JSON body of the request ({"Detach":false,"Tty":false}) comes first on the connection; stdin follows it.
  const input = new PassThrough();
  let body = true;
  socket.on('data', (chunk: Buffer) => {
    let data = chunk;
    if (body) {
      body = false;
      const end = data.indexOf('}');
      if (data.toString('utf8', 0, 1) === '{' && end >= 0) data = data.subarray(end + 1);
    }
    if (data.length > 0) input.write(data);
  });
  socket.on('end', () => input.end());
  services.execs
    .start(id, { output: (stream, chunk) => socket.write(tty ? chunk : frame(stream, chunk)), input })
    .catch((error: Error) => socket.write(frame('stderr', Buffer.from(`${error.message}\n`))))
    .finally(() => socket.end());
}

/** `POST /containers/{id}/attach` with `Upgrade: tcp`: the output stream on the upgraded connection. */
function attachUpgrade(services: EngineServices, request: IncomingMessage, socket: Socket, path: string): void {
  const found = /^\/containers\/([^/]+)\/attach$/.exec(path);
  if (!found) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"page not found"}');
    return;
  }
  let record: ContainerRecord;
  try {
    record = services.containers.get(decodeURIComponent(found[1]!));
  } catch (error) {
    const message = JSON.stringify({ message: (error as Error).message });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
    return;
  }
  const query = new URL(request.url ?? '/', 'http://engine').searchParams;
  const wantsStdin = queryBoolean(query, 'stdin');
  if (wantsStdin && !record.config.OpenStdin) {
    return rejectUpgrade(socket, '400 Bad Request', 'the container was not created with stdin open (-i)');
  }
  const tty = Boolean(record.config.Tty);
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.${tty ? 'raw' : 'multiplexed'}-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  if (wantsStdin) attachStdin(services, record, socket);
  services.containers.attached(record.id);
  const follower = readLog(
    services.layout.log(record.id),
    { stdout: queryBoolean(query, 'stdout'), stderr: queryBoolean(query, 'stderr'), fromEnd: !queryBoolean(query, 'logs') },
    (entry) => socket.write(tty ? Buffer.from(entry.log) : frame(entry.stream, Buffer.from(entry.log))),
    queryBoolean(query, 'stream'),
    () => isRunning(services.containers, record.id),
  );
  socket.on('close', () => follower.stop());
  socket.on('error', () => follower.stop());
  services.containers.holdLog(record.id, follower);
  // The client half-closes its side when it has no stdin: the stream stays writable until the container stops.
  void follower.done.then(() => socket.end());
}

/**
 * What the client sends on an attached connection goes to the container's stdin. The container may not run yet
 * (docker run attaches before it starts): input is held until its stdin is there.
 */
function attachStdin(services: EngineServices, record: ContainerRecord, socket: Socket): void {
  const held: Buffer[] = [];
  let target: NodeJS.WritableStream | undefined;
  let ended = false;
  const finish = (): void => {
    // The client has no more input: with StdinOnce the container's stdin ends too, once what came before is in.
    if (!record.config.StdinOnce) return;
    if (target) target.end(() => services.containers.closeStdin(record.id));
  };
  const connect = (): void => {
    if (target) return;
    target = services.containers.stdinOf(record.id);
    if (!target) return;
    (target as unknown as { on(event: string, listener: () => void): void }).on('error', () => {});
    for (const chunk of held.splice(0)) target.write(chunk);
    if (ended) finish();
  };
  const timer = setInterval(() => {
    connect();
    if (target || !isRunning(services.containers, record.id)) clearInterval(timer);
  }, 20);
  socket.on('data', (chunk: Buffer) => {
    connect();
    if (target) target.write(chunk);
    else held.push(chunk);
  });
  socket.on('end', () => {
    ended = true;
    connect();
    if (target) {
      clearInterval(timer);
      finish();
    }
  });
}

function labelMatches(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const equals = filter.indexOf('=');
  if (equals < 0) return filter in labels;
  return labels[filter.slice(0, equals)] === filter.slice(equals + 1);
}

function globMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

function matchesFilters(record: ContainerRecord, filters: Map<string, string[]>, services: EngineServices): boolean {
  for (const [name, values] of filters) {
    const any = (test: (value: string) => boolean): boolean => values.some(test);
    switch (name) {
      case 'label':
        if (!values.every((value) => labelMatches(record.config.Labels, value))) return false;
        break;
      case 'name':
        if (!any((value) => new RegExp(value.replace(/^\//, '')).test(record.name))) return false;
        break;
      case 'id':
        if (!any((value) => record.id.startsWith(value))) return false;
        break;
      case 'status':
        if (!any((value) => value === record.state.status)) return false;
        break;
      case 'ancestor':
        if (!any((value) => record.image === value || record.imageId === value || services.images.tryResolve(value)?.id === record.imageId)) return false;
        break;
      case 'network':
        if (!any((value) => value === (record.hostConfig.NetworkMode === 'host' ? 'host' : 'none'))) return false;
        break;
      case 'volume':
        if (!any((value) => record.binds.some((bind) => bind.source === value || bind.target === value))) return false;
        break;
      case 'exited':
        if (record.state.status !== 'exited' || !any((value) => Number(value) === record.state.exitCode)) return false;
        break;
      default:
        throw invalid(`invalid filter '${name}'`);
    }
  }
  return true;
}

function streamEvents(events: EventBus, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
  const filters = queryFilters(query);
  const number = (name: string): number | undefined => {
    const value = query.get(name);
    return value === null || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
  };
  const since = number('since');
  const until = number('until');
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
  const timer = until !== undefined ? setTimeout(() => response.end(), until * 1000 - Date.now()) : undefined;
  request.on('close', () => {
    release();
    if (timer) clearTimeout(timer);
  });
}

function cgroupVersion(): string {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
}
