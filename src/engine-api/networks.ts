// Network bodies: create, connect, disconnect, and the endpoint settings a container create or a connect carries.
import { boolean, integer, list, map, name, object, required, string } from './describe.js';
import type { WireType } from './describe.js';

const address = (): ReturnType<typeof string> => string({ max: 64 });
const labels = (): ReturnType<typeof map<string>> => map(string());

export const EndpointSettings = object({
  IPAMConfig: object({ IPv4Address: address(), IPv6Address: address(), LinkLocalIPs: list(address()) }),
  Links: list(string({ max: 512 })),
  MacAddress: address(),
  Aliases: list(string({ max: 255 })),
  DriverOpts: labels(),
  GwPriority: integer(),
  // What inspect reports; a request may carry it (a copy of an inspect), and dockerd does not read it.
  NetworkID: string({ max: 255 }),
  EndpointID: string({ max: 255 }),
  Gateway: address(),
  IPAddress: address(),
  IPPrefixLen: integer(),
  IPv6Gateway: address(),
  GlobalIPv6Address: address(),
  GlobalIPv6PrefixLen: integer(),
  DNSNames: list(string({ max: 255 })),
});

export const NetworkingConfig = object({
  EndpointsConfig: map(EndpointSettings, { maxKey: 255 }),
});

export const IPAMConfig = object({
  Subnet: address(),
  IPRange: address(),
  Gateway: address(),
  AuxiliaryAddresses: map(address(), { maxKey: 255 }),
});

export const NetworkCreate = object({
  Name: required(name()),
  Driver: name(),
  Scope: string({ max: 32 }),
  Internal: boolean(),
  Attachable: boolean(),
  Ingress: boolean(),
  ConfigOnly: boolean(),
  ConfigFrom: object({ Network: name() }),
  IPAM: object({ Driver: name(), Config: list(IPAMConfig, { max: 64 }), Options: labels() }),
  EnableIPv4: boolean(),
  EnableIPv6: boolean(),
  Options: labels(),
  Labels: labels(),
  /** Dropped from the API in 1.44 (names are always unique now); older clients send it. */
  CheckDuplicate: boolean(),
});

export const NetworkConnect = object({
  Container: required(string({ max: 255 })),
  EndpointConfig: EndpointSettings,
});

export const NetworkDisconnect = object({
  Container: required(string({ max: 255 })),
  Force: boolean(),
});

export type EndpointSettingsBody = WireType<typeof EndpointSettings>;
export type NetworkingConfigBody = WireType<typeof NetworkingConfig>;
export type NetworkCreateBody = WireType<typeof NetworkCreate>;
export type NetworkConnectBody = WireType<typeof NetworkConnect>;
export type NetworkDisconnectBody = WireType<typeof NetworkDisconnect>;
