// The engine as the rest of berth sees it: one object per resource, plain data in and out. Nothing else in berth
// imports dockerode.
import { homedir } from 'node:os';
import { containers } from './containers.js';
import type { Containers } from './containers.js';
import { discoverEndpoint } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { images } from './images.js';
import type { Images } from './images.js';
import { networks } from './networks.js';
import type { Networks } from './networks.js';
import { connectEngine } from './transport.js';
import type { Transport } from './transport.js';
import { volumes } from './volumes.js';
import type { Volumes } from './volumes.js';

export interface Engine {
  readonly endpoint: Endpoint;
  readonly apiVersion: string;
  readonly serverVersion: string;
  readonly os: string;
  readonly containers: Containers;
  readonly networks: Networks;
  readonly volumes: Volumes;
  readonly images: Images;
  readonly transport: Transport;
}

export interface EngineChoice {
  readonly host?: string;
  readonly context?: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
}

export async function openEngine(choice: EngineChoice): Promise<Engine> {
  const endpoint = discoverEndpoint({ ...choice, homeDir: choice.environment.HOME ?? homedir() });
  const transport = await connectEngine(endpoint);
  return {
    endpoint,
    apiVersion: transport.apiVersion,
    serverVersion: transport.serverVersion,
    os: transport.os,
    containers: containers(transport),
    networks: networks(transport),
    volumes: volumes(transport),
    images: images(transport),
    transport,
  };
}

export type { ContainerDetails, ContainerSummary, Filters, MountSummary } from './containers.js';
export type { NetworkSummary } from './networks.js';
export type { VolumeSummary } from './volumes.js';
export type { ImageDetails } from './images.js';
