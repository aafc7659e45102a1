// healthcheck -> Healthcheck, durations in nanoseconds. `disable: true` (or a test of NONE) switches off the
// image's own check; a healthcheck without `test` keeps the image's test and overrides only the timings.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { parseDuration } from '../../model/duration.js';
import type { HealthConfigBody } from '../../engine-api/index.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toBoolean, toInteger, toStringList } from './scalars.js';

/** Healthcheck key -> HealthConfig field, for the durations. */
const DURATIONS = [
  ['interval', 'Interval'],
  ['timeout', 'Timeout'],
  ['start_period', 'StartPeriod'],
  ['start_interval', 'StartInterval'],
] as const;

export function convertHealthcheck(service: ServiceConfig): Fragment {
  const raw: unknown = service.healthcheck;
  if (!isPresent(raw)) return {};
  const path = servicePath(service.name, 'healthcheck');
  if (!isDict(raw)) throw new BerthError('expected a mapping', { path });
  if (isPresent(raw['start_interval']) && !isPresent(raw['start_period'])) {
    // The engine would silently ignore it (moby/moby#48874); compose refuses, and so does berth.
    throw new BerthError('healthcheck.start_interval requires healthcheck.start_period to be set', { path: [...path, 'start_interval'] });
  }
  const disabled = isPresent(raw['disable']) && toBoolean(raw['disable'], [...path, 'disable']);
  const test = raw['test'];
  let command: string[] | undefined;
  if (disabled) command = ['NONE'];
  else if (typeof test === 'string') command = ['CMD-SHELL', test];
  else if (isPresent(test)) command = toStringList(test, [...path, 'test']);

  const body: HealthConfigBody = { Test: command && command.length > 0 ? command : undefined };
  for (const [key, field] of DURATIONS) {
    const ns = isPresent(raw[key]) ? parseDuration(raw[key], [...path, key]) : 0;
    if (ns !== 0) body[field] = ns;
  }
  const retries = isPresent(raw['retries']) ? toInteger(raw['retries'], [...path, 'retries']) : 0;
  if (retries !== 0) body.Retries = retries;
  return { config: { Healthcheck: compact(body) } };
}
