// blkio_config -> BlkioWeight, BlkioWeightDevice and the four throttle lists. Rates accept sizes ("12mb").
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { parseBytes } from '../../model/bytes.js';
import type { ThrottleDeviceBody } from '../../engine-api/index.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toInteger, toText } from './scalars.js';

/** blkio_config key -> HostConfig field, for the throttles that share one shape. */
const THROTTLES = [
  ['device_read_bps', 'BlkioDeviceReadBps'],
  ['device_read_iops', 'BlkioDeviceReadIOps'],
  ['device_write_bps', 'BlkioDeviceWriteBps'],
  ['device_write_iops', 'BlkioDeviceWriteIOps'],
] as const;

function entries(value: unknown, path: TreePath): Array<{ path: string; item: Record<string, unknown>; at: TreePath }> {
  if (!isPresent(value)) return [];
  if (!Array.isArray(value)) throw new BerthError('expected a list', { path });
  return value.map((item: unknown, index) => {
    const at = [...path, index];
    if (!isDict(item)) throw new BerthError('expected a mapping', { path: at });
    return { path: toText(item['path'], [...at, 'path']), item, at };
  });
}

export function convertBlkio(service: ServiceConfig): Fragment {
  const raw: unknown = service['blkio_config'];
  if (!isPresent(raw)) return {};
  const path = servicePath(service.name, 'blkio_config');
  if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
  const weightDevices = entries(raw['weight_device'], [...path, 'weight_device']).map(({ path: device, item, at }) => ({
    Path: device,
    Weight: toInteger(item['weight'], [...at, 'weight']),
  }));
  const host: Record<string, unknown> = {
    BlkioWeight: isPresent(raw['weight']) && raw['weight'] !== 0 ? toInteger(raw['weight'], [...path, 'weight']) : undefined,
    BlkioWeightDevice: weightDevices.length > 0 ? weightDevices : undefined,
  };
  for (const [key, field] of THROTTLES) {
    const throttles: ThrottleDeviceBody[] = entries(raw[key], [...path, key]).map(({ path: device, item, at }) => ({
      Path: device,
      Rate: parseBytes(item['rate'], [...at, 'rate']),
    }));
    host[field] = throttles.length > 0 ? throttles : undefined;
  }
  return { host: compact(host) };
}
