// healthcheck -> probes. A compose healthcheck does two jobs: it gates dependants (`service_healthy`), which a
// readiness probe does for traffic, and under Swarm an unhealthy task is replaced, which a liveness probe does. The
// start period becomes a startup probe, so that failures during it do not count, as in Docker.
import { parseDuration } from '../model/duration.js';
import type { ServiceConfig } from '../model/types.js';
import type { ConvertContext } from './context.js';
import { seconds } from './context.js';
import type { Probe } from './manifest.js';

// Docker's defaults for a healthcheck that does not say.
const DEFAULT_INTERVAL = 30e9;
const DEFAULT_TIMEOUT = 30e9;
const DEFAULT_RETRIES = 3;
const DEFAULT_START_INTERVAL = 5e9;

export interface Probes {
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
}

export function probesFor(service: ServiceConfig, ctx: ConvertContext): Probes {
  const check = service.healthcheck;
  if (check === undefined || check.disable === true) return {};
  const test = check.test ?? [];
  if (test[0] === 'NONE') return {};
  const command = test[0] === 'CMD' ? test.slice(1) : test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : undefined;
  if (command === undefined || command.length === 0) {
    ctx.warn('service', service.name, "healthcheck without a test relies on the image's HEALTHCHECK, which Kubernetes does not run: not converted");
    return {};
  }
  const path = ['services', service.name, 'healthcheck'];
  const interval = check.interval === undefined ? DEFAULT_INTERVAL : parseDuration(check.interval, [...path, 'interval']);
  const timeout = check.timeout === undefined ? DEFAULT_TIMEOUT : parseDuration(check.timeout, [...path, 'timeout']);
  const retries = check.retries ?? DEFAULT_RETRIES;
  const probe: Probe = {
    exec: { command },
    periodSeconds: seconds(interval || DEFAULT_INTERVAL),
    timeoutSeconds: seconds(timeout || DEFAULT_TIMEOUT),
    failureThreshold: Math.max(1, retries),
  };
  const startPeriod = check.start_period === undefined ? 0 : parseDuration(check.start_period, [...path, 'start_period']);
  if (startPeriod <= 0) {
    if (check.start_interval !== undefined) ctx.warn('service', service.name, 'healthcheck.start_interval is not converted without a start_period');
    return { livenessProbe: probe, readinessProbe: probe };
  }
  const startInterval = check.start_interval === undefined ? DEFAULT_START_INTERVAL : parseDuration(check.start_interval, [...path, 'start_interval']);
  const period = seconds(startInterval || DEFAULT_START_INTERVAL);
  const startupProbe: Probe = { ...probe, periodSeconds: period, failureThreshold: Math.ceil(seconds(startPeriod) / period) + probe.failureThreshold! };
  return { livenessProbe: probe, readinessProbe: probe, startupProbe };
}
