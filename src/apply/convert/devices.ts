// devices, device_cgroup_rules, gpus and deploy.resources.reservations.devices -> Devices, DeviceCgroupRules and
// DeviceRequests. A device named by a CDI name (`vendor.com/class=name`) on both sides is requested from the CDI
// driver rather than mapped by path.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { deployResources } from './deploy.js';
import type { DeviceMappingBody, DeviceRequestBody } from '../../engine-api/index.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toInteger, toStringList, toStringMap, toText } from './scalars.js';

const CDI_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*=[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function isCdiName(name: string): boolean {
  return CDI_NAME.test(name);
}

/** One `devices` entry: the long form, or `source[:target[:permissions]]`. */
function deviceMapping(raw: unknown, path: TreePath): DeviceMappingBody {
  if (isDict(raw)) {
    const source = toText(raw['source'], [...path, 'source']);
    const target = isPresent(raw['target']) && raw['target'] !== '' ? toText(raw['target'], [...path, 'target']) : source;
    const permissions = isPresent(raw['permissions']) && raw['permissions'] !== '' ? toText(raw['permissions'], [...path, 'permissions']) : 'rwm';
    return { PathOnHost: source, PathInContainer: target, CgroupPermissions: permissions };
  }
  const parts = toText(raw, path).split(':');
  if (parts.length > 3) throw new BerthError(`confusing device mapping, please use the long syntax: ${String(raw)}`, { path });
  const [source = '', target = '', permissions = 'rwm'] = parts;
  return { PathOnHost: source, PathInContainer: target === '' ? source : target, CgroupPermissions: permissions };
}

/** `count: all` is -1; without count nor device_ids a request means all devices. */
function deviceCount(raw: Record<string, unknown>, path: TreePath): number {
  const count = raw['count'];
  if (!isPresent(count)) return isPresent(raw['device_ids']) ? 0 : -1;
  if (typeof count === 'string' && count.trim().toLowerCase() === 'all') return -1;
  return toInteger(count, [...path, 'count']);
}

function deviceRequest(raw: unknown, path: TreePath, extraCapability?: string): DeviceRequestBody {
  if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
  const capabilities = isPresent(raw['capabilities']) ? toStringList(raw['capabilities'], [...path, 'capabilities']) : [];
  if (extraCapability !== undefined) capabilities.push(extraCapability);
  const ids = isPresent(raw['device_ids']) ? toStringList(raw['device_ids'], [...path, 'device_ids']) : undefined;
  const options = isPresent(raw['options']) ? toStringMap(raw['options'], [...path, 'options']) : undefined;
  return compact({
    Driver: isPresent(raw['driver']) && raw['driver'] !== '' ? toText(raw['driver'], [...path, 'driver']) : undefined,
    Count: deviceCount(raw, path),
    DeviceIDs: ids !== undefined && ids.length > 0 ? ids : undefined,
    Capabilities: [capabilities],
    Options: options !== undefined && Object.keys(options).length > 0 ? options : undefined,
  });
}

function list(value: unknown, path: TreePath): unknown[] {
  if (!isPresent(value)) return [];
  if (!Array.isArray(value)) throw new BerthError('expected a list', { path });
  return value;
}

export function convertDevices(service: ServiceConfig): Fragment {
  const requests: DeviceRequestBody[] = [];
  // Same order as compose: reserved devices, then CDI devices, then gpus.
  const reservationsPath = servicePath(service.name, 'deploy', 'resources', 'reservations', 'devices');
  list(deployResources(service, 'reservations')?.['devices'], reservationsPath).forEach((raw, index) => {
    requests.push(deviceRequest(raw, [...reservationsPath, index]));
  });

  const mappings: DeviceMappingBody[] = [];
  const cdi: string[] = [];
  const devicesPath = servicePath(service.name, 'devices');
  list(service['devices'], devicesPath).forEach((raw, index) => {
    const mapping = deviceMapping(raw, [...devicesPath, index]);
    const host = mapping.PathOnHost ?? '';
    if (host === mapping.PathInContainer && isCdiName(host)) cdi.push(host);
    else mappings.push(mapping);
  });
  if (cdi.length > 0) requests.push({ Driver: 'cdi', DeviceIDs: cdi });

  const gpusPath = servicePath(service.name, 'gpus');
  const gpus: unknown = service['gpus'];
  // `gpus: all` is the short form of one request for every GPU.
  const gpuRequests = typeof gpus === 'string' ? [{ count: 'all' }] : list(gpus, gpusPath);
  gpuRequests.forEach((raw, index) => requests.push(deviceRequest(raw, [...gpusPath, index], 'gpu')));

  const rules: unknown = service['device_cgroup_rules'];
  const cgroupRules = isPresent(rules) ? toStringList(rules, servicePath(service.name, 'device_cgroup_rules')) : [];
  return {
    host: compact({
      Devices: mappings.length > 0 ? mappings : undefined,
      DeviceCgroupRules: cgroupRules.length > 0 ? cgroupRules : undefined,
      DeviceRequests: requests.length > 0 ? requests : undefined,
    }),
  };
}
