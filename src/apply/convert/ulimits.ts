// ulimits -> Ulimits: `nofile: 65535` sets both soft and hard; `{soft, hard}` sets each. Sorted by name.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { UlimitBody } from '../../engine-api/index.js';
import type { Fragment } from './fragment.js';
import { isPresent, servicePath, toInteger } from './scalars.js';

export function convertUlimits(service: ServiceConfig): Fragment {
  const raw: unknown = service['ulimits'];
  if (!isPresent(raw)) return {};
  const path = servicePath(service.name, 'ulimits');
  if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
  const ulimits: UlimitBody[] = Object.keys(raw)
    .sort()
    .map((name) => {
      const value = raw[name];
      const at = [...path, name];
      if (!isDict(value)) {
        const single = toInteger(value, at);
        return { Name: name, Soft: single, Hard: single };
      }
      const single = isPresent(value['single']) ? toInteger(value['single'], [...at, 'single']) : 0;
      const soft = isPresent(value['soft']) ? toInteger(value['soft'], [...at, 'soft']) : single;
      const hard = isPresent(value['hard']) ? toInteger(value['hard'], [...at, 'hard']) : single;
      return { Name: name, Soft: soft, Hard: hard };
    });
  return ulimits.length === 0 ? {} : { host: { Ulimits: ulimits } };
}
