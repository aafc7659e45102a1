// The engine as the rest of berth sees it: one object per resource, plain data in and out. Nothing else in berth
// imports dockerode's modem (docker-modem).
import { appendFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { BerthError } from '../model/errors.js';
import { containers } from './containers.js';
import { createCredentials } from './credentials.js';
import type { Containers } from './containers.js';
import { embeddedEngine, embeddedSettings, pingSocket } from './embedded.js';
import { discoverEndpoint } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { execs } from './exec.js';
import type { Execs } from './exec.js';
import { images } from './images.js';
import type { Images } from './images.js';
import { networks } from './networks.js';
import type { Networks } from './networks.js';
import { clock, compareVersions, connectEngine, loadModem } from './transport.js';
import type { EngineGreeting, TracedRequest, Transport } from './transport.js';
import { volumes } from './volumes.js';
import type { Volumes } from './volumes.js';

export interface Engine {
  readonly endpoint: Endpoint;
  readonly apiVersion: string;
  readonly os: string;
  readonly containers: Containers;
  /** Processes run in running containers (exec). */
  readonly execs: Execs;
  readonly networks: Networks;
  readonly volumes: Volumes;
  readonly images: Images;
  readonly transport: Transport;
}

export interface EngineChoice {
  readonly host?: string;
  readonly context?: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** Told when berth starts its own engine. */
  readonly notify?: (line: string) => void;
}

/**
 * The engine to use, as the docker CLI picks it; when that is the default socket and nothing listens there (or
 * BERTH_ENGINE=embedded), berth's own engine, started if need be. A Docker engine that is there but slow to answer
 * is still used (never a switch of engines because the machine is busy). BERTH_ENGINE=docker never falls back.
 */
export async function openEngine(choice: EngineChoice): Promise<Engine> {
  let endpoint = discoverEndpoint({ ...choice, homeDir: choice.environment.HOME ?? homedir() });
  const mode = choice.environment.BERTH_ENGINE ?? '';
  if (!['', 'docker', 'embedded'].includes(mode)) throw new BerthError(`BERTH_ENGINE must be "docker" or "embedded", not "${mode}"`);
  const traceFile = choice.environment.BERTH_TRACE_REQUESTS;
  if (traceFile) appendFileSync(traceFile, `${JSON.stringify({ processStarted: performance.timeOrigin, argv: process.argv.slice(2) })}\n`);
  const trace = traceFile ? (request: TracedRequest): void => appendFileSync(traceFile, `${JSON.stringify(request)}\n`) : undefined;
  // The default socket is pinged to see whether a Docker engine is there: its answer also gives the API version.
  let greeting: EngineGreeting | undefined;
  if (endpoint.source === 'default' && mode === '') {
    // The modem loads while the ping is on its way (connectEngine's own load then finds it loaded; a failure is its to report).
    loadModem().catch(() => {});
    const sent = trace ? clock() : 0;
    const probe = await pingSocket(endpoint.socketPath!);
    trace?.({ method: 'GET', path: '/_ping', sent, answered: clock(), ...(probe.state === 'answers' ? {} : { error: probe.state }) });
    if (probe.state === 'absent') endpoint = await embeddedEngine(embeddedSettings(choice.environment), choice.notify ?? (() => {}));
    else greeting = probe.greeting;
  } else if (endpoint.source === 'default' && mode === 'embedded') {
    endpoint = await embeddedEngine(embeddedSettings(choice.environment), choice.notify ?? (() => {}));
  }
  const transport = await connectEngine(endpoint, { ...(trace ? { trace } : {}), ...(greeting ? { greeting } : {}) });
  const credentials = createCredentials({ environment: choice.environment, homeDir: choice.environment.HOME ?? homedir() });
  return {
    endpoint,
    apiVersion: transport.apiVersion,
    os: transport.os,
    containers: containers(transport),
    execs: execs(transport, (version) => compareVersions(transport.apiVersion, version) >= 0),
    networks: networks(transport),
    volumes: volumes(transport),
    images: images(transport, credentials),
    transport,
  };
}

export type { ContainerDetails, ContainerSummary, Filters, MountSummary, PathStat } from './containers.js';
export type { CollectedOutput, ExecOptions, ExecState, Execs } from './exec.js';
export type { NetworkSummary } from './networks.js';
export type { VolumeSummary } from './volumes.js';
export type { ImageDetails, RegistryProgress } from './images.js';
