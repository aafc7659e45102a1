// Compose networks and volumes -> the Engine API create bodies, labelled so that the next run finds them again.
import { networkConfigHash, volumeConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { NetworkConfig, VolumeConfig } from '../model/types.js';
import type { NetworkCreate } from '../engine-client/networks.js';
import type { VolumeCreate } from '../engine-client/volumes.js';
import { LABEL } from '../model/labels.js';

export function networkCreateBody(project: string, key: string, network: NetworkConfig, version: string): NetworkCreate {
  const ipam = network.ipam as Dict | undefined;
  const pools = Array.isArray(ipam?.config) ? (ipam.config as Dict[]) : [];
  return {
    Name: network.name ?? `${project}_${key}`,
    Driver: network.driver || 'bridge',
    Options: network.driver_opts ?? {},
    ...(ipam
      ? {
          IPAM: {
            Driver: (ipam.driver as string | undefined) || 'default',
            Config: pools.map((pool) => ({
              ...(pool.subnet ? { Subnet: pool.subnet } : {}),
              ...(pool.ip_range ? { IPRange: pool.ip_range } : {}),
              ...(pool.gateway ? { Gateway: pool.gateway } : {}),
              ...(pool.aux_addresses ? { AuxiliaryAddresses: pool.aux_addresses } : {}),
            })),
            Options: (ipam.options as Record<string, string> | undefined) ?? {},
          },
        }
      : {}),
    Internal: network.internal ?? false,
    Attachable: network.attachable ?? false,
    ...(network.enable_ipv6 !== undefined ? { EnableIPv6: network.enable_ipv6 } : {}),
    ...(network.enable_ipv4 !== undefined ? { EnableIPv4: network.enable_ipv4 as boolean } : {}),
    Labels: {
      ...network.labels,
      [LABEL.network]: key,
      [LABEL.project]: project,
      [LABEL.version]: version,
      [LABEL.configHash]: networkConfigHash(network as Dict),
    },
    CheckDuplicate: true,
  };
}

export function volumeCreateBody(project: string, key: string, volume: VolumeConfig, version: string): VolumeCreate {
  return {
    Name: volume.name ?? `${project}_${key}`,
    Driver: volume.driver || 'local',
    DriverOpts: volume.driver_opts ?? {},
    Labels: {
      ...volume.labels,
      [LABEL.volume]: key,
      [LABEL.project]: project,
      [LABEL.version]: version,
      [LABEL.configHash]: volumeConfigHash(volume as Dict),
    },
  };
}
