// runtime, isolation, sysctls, storage_opt: how the engine sets the container up underneath.
import type { ServiceConfig } from '../../model/types.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toStringMap, toText } from './scalars.js';

export function convertRuntime(service: ServiceConfig): Fragment {
  const text = (key: string): string | undefined =>
    isPresent(service[key]) && service[key] !== '' ? toText(service[key], servicePath(service.name, key)) : undefined;
  const map = (key: string): Record<string, string> | undefined => {
    const value = isPresent(service[key]) ? toStringMap(service[key], servicePath(service.name, key)) : {};
    return Object.keys(value).length > 0 ? value : undefined;
  };
  return {
    host: compact({
      Runtime: text('runtime'),
      Isolation: text('isolation'),
      Sysctls: map('sysctls'),
      StorageOpt: map('storage_opt'),
    }),
  };
}
