// The Engine API routes berth's engine serves, one module per resource. Each handler reads the request, calls a
// service and writes the answer; rules live in the services.
import type { CommitServices } from '../services/commit.js';
import type { ContainerService } from '../services/containers.js';
import type { VolumeService } from '../services/volumes.js';
import type { NetworkService } from '../services/networks.js';
import type { Builder } from '../services/build/builder.js';
import type { EventBus } from '../services/events.js';
import type { ExecService } from '../services/exec.js';
import type { ImageService } from '../services/images.js';
import type { PullService } from '../services/registry/pull.js';
import type { PushService } from '../services/registry/push.js';
import type { RegistryClient } from '../services/registry/client.js';
import type { RegistryOptions } from '../services/registry/options.js';
import type { Layout } from '../store/layout.js';
import { addContainerRoutes } from './container-routes.js';
import { addContentRoutes } from './content-routes.js';
import { addExecRoutes } from './exec-routes.js';
import { addImageRoutes } from './image-routes.js';
import { addRegistryRoutes } from './registry-routes.js';
import { addNetworkRoutes } from './network-routes.js';
import { addVolumeRoutes } from './volume-routes.js';
import { addBuildRoutes } from './build-routes.js';
import { Router } from './router.js';
import { addSystemRoutes } from './system-routes.js';

export { API_VERSION, MIN_API_VERSION } from './api-version.js';
export { handleUpgrade } from './upgrade.js';

/** What talks to registries: loaded by the first request that needs it (see daemon.ts). */
export interface RegistryServices {
  readonly client: RegistryClient;
  readonly pulls: PullService;
  readonly pushes: PushService;
  /** A push's failure as the client is told it (a registry's refusal in its own words). */
  readonly pushError: (error: unknown) => unknown;
}

export interface EngineServices {
  readonly layout: Layout;
  readonly images: ImageService;
  readonly registry: () => Promise<RegistryServices>;
  readonly registryOptions: RegistryOptions;
  readonly containers: ContainerService;
  readonly volumes: VolumeService;
  readonly networks: NetworkService;
  /** Only `build`: the daemon loads the builder's code on the first build. */
  readonly builder: Pick<Builder, 'build'>;
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
  addRegistryRoutes(router, services);
  addContainerRoutes(router, services);
  addNetworkRoutes(router, services);
  addVolumeRoutes(router, services);
  addBuildRoutes(router, services);
  addExecRoutes(router, services);
  addContentRoutes(router, services);
  return router;
}
