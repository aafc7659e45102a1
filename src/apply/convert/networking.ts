// network_mode, networks, mac_address -> NetworkMode, NetworkingConfig and the networks to connect after create.
//
// The container is created on its highest-priority network (name order breaks ties); engines from API 1.44 take
// every other network's endpoint in the same request, older ones get them through `network connect` afterwards.
import { isIP } from 'node:net';
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { Dict, TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { API, apiAtLeast } from './api-version.js';
import type { ContainerPlanContext, ExtraNetwork } from './context.js';
import type { EndpointSettingsBody } from '../../engine-api/index.js';
import type { Fragment, Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { resolveNamespaceMode } from './references.js';
import { compact, isPresent, servicePath, toInteger, toStringList, toStringMap, toText } from './scalars.js';

const IFNAME_OPTION = 'com.docker.network.endpoint.ifname';

export interface NetworkingResult extends Fragment {
  readonly networking?: { EndpointsConfig: Record<string, EndpointSettingsBody> };
  readonly extraNetworks: readonly ExtraNetwork[];
}

type ServiceNetworks = Readonly<Record<string, Dict | null>>;

function serviceNetworks(service: ServiceConfig): ServiceNetworks {
  const raw: unknown = service.networks;
  if (!isPresent(raw)) return {};
  const path = servicePath(service.name, 'networks');
  if (!isDict(raw)) throw new BerthError('expected the canonical mapping form', { path });
  const out: Record<string, Dict | null> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (isPresent(value) && !isDict(value)) throw new BerthError('expected a mapping', { path: [...path, key] });
    out[key] = value ?? null;
  }
  return out;
}

/** Network keys by `priority`, highest first, then by name. */
export function networksByPriority(networks: ServiceNetworks, serviceName: string): string[] {
  const priority = (key: string): number => {
    const value = networks[key]?.['priority'];
    return isPresent(value) ? toInteger(value, servicePath(serviceName, 'networks', key, 'priority')) : 0;
  };
  return Object.keys(networks).sort((a, b) => priority(b) - priority(a) || (a < b ? -1 : a > b ? 1 : 0));
}

function optionalText(value: unknown, path: TreePath): string | undefined {
  return isPresent(value) && value !== '' ? toText(value, path) : undefined;
}

function checkAddress(address: string | undefined, family: 4 | 6, path: TreePath): string | undefined {
  if (address !== undefined && isIP(address) !== family) throw new BerthError(`invalid IPv${family} address ${JSON.stringify(address)}`, { path });
  return address;
}

interface EndpointInput {
  readonly service: ServiceConfig;
  readonly ctx: ContainerPlanContext;
  readonly key: string;
  readonly config: Dict | null;
  readonly links: readonly string[];
  readonly fallbackMac?: string;
  readonly warn: Warn;
}

function endpointSettings({ service, ctx, key, config, links, fallbackMac, warn }: EndpointInput): EndpointSettingsBody {
  const at = (...rest: string[]) => servicePath(service.name, 'networks', key, ...rest);
  // The container name always resolves; `run` without --use-aliases leaves out the service name and aliases.
  const aliases = [ctx.containerName];
  if (ctx.useNetworkAliases !== false) {
    aliases.push(service.name);
    if (isPresent(config?.['aliases'])) aliases.push(...toStringList(config?.['aliases'], at('aliases')));
  }
  const ipv4 = checkAddress(optionalText(config?.['ipv4_address'], at('ipv4_address')), 4, at('ipv4_address'));
  const ipv6 = checkAddress(optionalText(config?.['ipv6_address'], at('ipv6_address')), 6, at('ipv6_address'));
  const linkLocal = isPresent(config?.['link_local_ips'])
    ? toStringList(config?.['link_local_ips'], at('link_local_ips')).filter((ip) => ip !== '')
    : [];
  linkLocal.forEach((ip, index) => {
    if (isIP(ip) === 0) throw new BerthError(`invalid link-local IP ${JSON.stringify(ip)}`, { path: [...at('link_local_ips'), index] });
  });
  const ipam = compact({ IPv4Address: ipv4, IPv6Address: ipv6, LinkLocalIPs: linkLocal.length > 0 ? linkLocal : undefined });

  let driverOpts = isPresent(config?.['driver_opts']) ? toStringMap(config?.['driver_opts'], at('driver_opts')) : undefined;
  const interfaceName = optionalText(config?.['interface_name'], at('interface_name'));
  if (interfaceName !== undefined) {
    const declared = driverOpts?.[IFNAME_OPTION];
    if (declared !== undefined && declared !== interfaceName) {
      warn(serviceWarning(service.name, `networks.${key}.interface_name overrides the ${IFNAME_OPTION} driver option`));
    }
    driverOpts = { ...driverOpts, [IFNAME_OPTION]: interfaceName };
  }
  const gwPriority = isPresent(config?.['gw_priority']) ? toInteger(config?.['gw_priority'], at('gw_priority')) : 0;
  return compact({
    IPAMConfig: Object.keys(ipam).length > 0 ? ipam : undefined,
    Links: links.length > 0 ? [...links] : undefined,
    Aliases: aliases,
    MacAddress: optionalText(config?.['mac_address'], at('mac_address')) ?? fallbackMac,
    DriverOpts: driverOpts !== undefined && Object.keys(driverOpts).length > 0 ? driverOpts : undefined,
    GwPriority: gwPriority !== 0 ? gwPriority : undefined,
  });
}

function engineNetworkName(ctx: ContainerPlanContext, key: string, serviceName: string): string {
  const name = ctx.networkNames[key];
  if (name === undefined) {
    throw new BerthError(`service "${serviceName}" refers to undefined network ${key}`, { path: servicePath(serviceName, 'networks', key) });
  }
  return name;
}

/** `network_mode` set: the engine reads the mode itself, except `service:x` and `disabled`. */
function explicitMode(service: ServiceConfig, ctx: ContainerPlanContext, mode: string, serviceMac: string | undefined, warn: Warn): NetworkingResult {
  const path = servicePath(service.name, 'network_mode');
  if (isPresent(service.networks) && Object.keys(serviceNetworks(service)).length > 0) {
    warn(serviceWarning(service.name, 'networks are ignored because network_mode is set'));
  }
  const oldEngine = !apiAtLeast(ctx.apiVersion, API.multipleEndpoints);
  if (serviceMac !== undefined && !oldEngine) {
    warn(serviceWarning(service.name, 'mac_address is ignored because network_mode is set'));
  }
  const macAddress = serviceMac !== undefined && oldEngine ? { MacAddress: serviceMac } : {};
  if (mode === 'disabled') {
    // "disabled" is compose's word; the engine's is no network stack at all.
    return { config: { NetworkDisabled: true, ...macAddress }, host: { NetworkMode: 'none' }, extraNetworks: [] };
  }
  return { config: macAddress, host: { NetworkMode: resolveNamespaceMode(mode, ctx, 'network namespace', path) }, extraNetworks: [] };
}

export function convertNetworking(service: ServiceConfig, ctx: ContainerPlanContext, links: readonly string[], warn: Warn): NetworkingResult {
  const serviceMac = optionalText(service['mac_address'], servicePath(service.name, 'mac_address'));
  const mode: unknown = service.network_mode;
  if (isPresent(mode) && mode !== '') {
    return explicitMode(service, ctx, toText(mode, servicePath(service.name, 'network_mode')), serviceMac, warn);
  }

  let networks = serviceNetworks(service);
  if (Object.keys(networks).length === 0) {
    // The model attaches a service without networks to `default`; a project without networks has none at all.
    if (ctx.networkNames['default'] === undefined) return { host: { NetworkMode: 'none' }, extraNetworks: [] };
    networks = { default: null };
  }

  if (!apiAtLeast(ctx.apiVersion, API.interfaceName)) {
    for (const [key, config] of Object.entries(networks)) {
      if (isPresent(config?.['interface_name'])) {
        throw new BerthError(`interface_name requires Engine API ${API.interfaceName} or later (this engine speaks ${ctx.apiVersion})`, {
          kind: 'engine',
          path: servicePath(service.name, 'networks', key, 'interface_name'),
        });
      }
    }
  }

  const ordered = networksByPriority(networks, service.name);
  const primary = ctx.primaryNetwork !== undefined && ctx.primaryNetwork in networks ? ctx.primaryNetwork : (ordered[0] as string);
  const others = ordered.filter((key) => key !== primary);

  const primaryMac = optionalText(networks[primary]?.['mac_address'], servicePath(service.name, 'networks', primary, 'mac_address'));
  if (serviceMac !== undefined && primaryMac !== undefined && serviceMac !== primaryMac) {
    throw new BerthError(`the service-level mac_address should have the same value as network ${primary}`, {
      path: servicePath(service.name, 'mac_address'),
    });
  }

  const endpoint = (key: string, fallbackMac?: string): EndpointSettingsBody =>
    endpointSettings({ service, ctx, key, config: networks[key] ?? null, links, fallbackMac, warn });
  const primaryName = engineNetworkName(ctx, primary, service.name);
  const primaryEndpoint = endpoint(primary, serviceMac);
  const endpoints: Record<string, EndpointSettingsBody> = { [primaryName]: primaryEndpoint };
  const extraNetworks: ExtraNetwork[] = [];
  const multiple = apiAtLeast(ctx.apiVersion, API.multipleEndpoints);
  for (const key of others) {
    const name = engineNetworkName(ctx, key, service.name);
    if (multiple) endpoints[name] = endpoint(key);
    else extraNetworks.push({ network: name, endpointConfig: endpoint(key) });
  }
  // Before 1.44 the endpoint had no MacAddress of its own; the container-wide field carried it.
  const macAddress = !multiple && primaryEndpoint.MacAddress !== undefined ? { MacAddress: primaryEndpoint.MacAddress } : {};
  return {
    config: macAddress,
    host: { NetworkMode: primaryName },
    networking: { EndpointsConfig: endpoints },
    extraNetworks,
  };
}
