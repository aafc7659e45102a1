// service + plan context -> the `POST /containers/create` request, assembled from one small converter per family
// of keys. Pure: everything the engine knows arrives in the context.
import type { ServiceConfig } from '../../model/types.js';
import { apiAtLeast } from './api-version.js';
import { convertBlkio } from './blkio.js';
import { convertCommand } from './command.js';
import { convertContainerConfig } from './container-config.js';
import type { ContainerCreateRequest, ContainerPlanContext } from './context.js';
import { convertDevices } from './devices.js';
import { convertDns } from './dns.js';
import type { ContainerCreateBody, HostConfigBody } from '../../engine-api/index.js';
import { convertEnvironment } from './environment.js';
import type { FamilyConverter, Fragment } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { convertHealthcheck } from './healthcheck.js';
import { ignoredKeyWarnings } from './keys.js';
import { containerLinks } from './links.js';
import { convertLogging } from './logging.js';
import { convertMounts } from './mounts.js';
import { convertNamespaces } from './namespaces.js';
import { convertNetworking } from './networking.js';
import { convertPorts } from './ports.js';
import { convertResources } from './resources.js';
import { convertRestart } from './restart.js';
import { convertRuntime } from './runtime.js';
import { isPresent, servicePath, toText } from './scalars.js';
import { convertSecurity } from './security.js';
import { convertUlimits } from './ulimits.js';

export type { ContainerCreateRequest, ContainerPlanContext } from './context.js';

/** The families, each owning its own body fields; networking comes last because it needs the links. */
export const FAMILIES: ReadonlyArray<readonly [name: string, convert: FamilyConverter]> = [
  ['container-config', convertContainerConfig],
  ['command', convertCommand],
  ['environment', convertEnvironment],
  ['ports', convertPorts],
  ['mounts', convertMounts],
  ['dns', convertDns],
  ['resources', convertResources],
  ['ulimits', convertUlimits],
  ['blkio', convertBlkio],
  ['devices', convertDevices],
  ['healthcheck', convertHealthcheck],
  ['restart', convertRestart],
  ['logging', convertLogging],
  ['security', convertSecurity],
  ['namespaces', convertNamespaces],
  ['runtime', convertRuntime],
];

/** The `platform` query parameter came with API 1.41. */
const PLATFORM_PARAMETER = '1.41';

function platformOf(service: ServiceConfig, ctx: ContainerPlanContext, warn: (message: string) => void): string | undefined {
  const raw: unknown = service['platform'];
  if (!isPresent(raw) || raw === '') return undefined;
  const platform = toText(raw, servicePath(service.name, 'platform'));
  if (!apiAtLeast(ctx.apiVersion, PLATFORM_PARAMETER)) {
    warn(serviceWarning(service.name, `platform needs Engine API ${PLATFORM_PARAMETER} or later and will be ignored`));
    return undefined;
  }
  return platform;
}

export function buildContainerCreateRequest(service: ServiceConfig, ctx: ContainerPlanContext): ContainerCreateRequest {
  const warnings: string[] = ignoredKeyWarnings(service);
  const warn = (message: string): void => {
    warnings.push(message);
  };
  const fragments: Fragment[] = FAMILIES.map(([, convert]) => convert(service, ctx, warn));
  const links = containerLinks(service, ctx);
  const networking = convertNetworking(service, ctx, links, warn);
  fragments.push(networking, { host: links.length > 0 ? { Links: links } : {} });

  const config: Partial<ContainerCreateBody> = {};
  const host: HostConfigBody = {};
  for (const fragment of fragments) {
    Object.assign(config, fragment.config);
    Object.assign(host, fragment.host);
  }
  const body: ContainerCreateBody = {
    ...config,
    Image: config.Image ?? service.image ?? '',
    Labels: config.Labels ?? { ...ctx.labels },
    HostConfig: host,
    ...(networking.networking === undefined ? {} : { NetworkingConfig: networking.networking }),
  };
  const platform = platformOf(service, ctx, warn);
  return {
    name: ctx.containerName,
    body,
    ...(platform === undefined ? {} : { platform }),
    warnings,
    extraNetworks: networking.extraNetworks,
  };
}
