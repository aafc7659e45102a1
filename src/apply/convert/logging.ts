// logging (or the legacy log_driver/log_opt pair) -> LogConfig.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { Fragment } from './fragment.js';
import { isPresent, servicePath, toStringMap, toText } from './scalars.js';

export function convertLogging(service: ServiceConfig): Fragment {
  const raw: unknown = service['logging'];
  let driver = '';
  let options: Record<string, string> | undefined;
  if (isPresent(raw)) {
    const path = servicePath(service.name, 'logging');
    if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
    driver = isPresent(raw['driver']) ? toText(raw['driver'], [...path, 'driver']) : '';
    options = isPresent(raw['options']) ? toStringMap(raw['options'], [...path, 'options']) : undefined;
  } else if (isPresent(service['log_driver']) || isPresent(service['log_opt'])) {
    driver = isPresent(service['log_driver']) ? toText(service['log_driver'], servicePath(service.name, 'log_driver')) : '';
    options = isPresent(service['log_opt']) ? toStringMap(service['log_opt'], servicePath(service.name, 'log_opt')) : undefined;
  } else {
    return {};
  }
  // An empty Type with options means "the daemon's default driver, with these options".
  return { host: { LogConfig: options !== undefined && Object.keys(options).length > 0 ? { Type: driver, Config: options } : { Type: driver } } };
}
