// environment -> Env. A variable left without a value (`FOO` with nothing to resolve it from) is sent as a bare
// `FOO`, as docker compose's `up` does: the engine keeps it in the container's config but sets nothing.
import { isDict } from '../../model/tree.js';
import { BerthError } from '../../model/errors.js';
import type { ServiceConfig } from '../../model/types.js';
import type { Fragment } from './fragment.js';
import { servicePath, toText } from './scalars.js';

export function convertEnvironment(service: ServiceConfig): Fragment {
  const environment: unknown = service.environment;
  if (environment === undefined || environment === null) return {};
  const path = servicePath(service.name, 'environment');
  if (!isDict(environment)) throw new BerthError('expected the canonical mapping form', { path });
  const env = Object.keys(environment)
    .sort()
    .map((key) => {
      const value = environment[key];
      return value === null || value === undefined ? key : `${key}=${toText(value, [...path, key])}`;
    });
  return env.length === 0 ? {} : { config: { Env: env } };
}
