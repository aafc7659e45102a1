// deploy.resources (and the older cpus / mem_limit / mem_reservation) -> container resources: limits and
// reservations of CPU and memory are what Kubernetes schedules by; the rest is named in a warning.
import { parseBytes } from '../model/bytes.js';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import type { ConvertContext } from './context.js';
import type { ResourceRequirements } from './manifest.js';

export function resourcesFor(service: ServiceConfig, ctx: ConvertContext): ResourceRequirements | undefined {
  const resources = isDict(service.deploy) && isDict(service.deploy.resources) ? service.deploy.resources : {};
  const limits = isDict(resources.limits) ? resources.limits : {};
  const reservations = isDict(resources.reservations) ? resources.reservations : {};
  const limit = quantities(limits.cpus ?? service.cpus, limits.memory ?? service.mem_limit);
  const request = quantities(reservations.cpus, reservations.memory ?? service.mem_reservation);
  warnRest(ctx, service.name, 'limits', limits, ['cpus', 'memory']);
  warnRest(ctx, service.name, 'reservations', reservations, ['cpus', 'memory']);
  if (limit === undefined && request === undefined) return undefined;
  return { ...(limit ? { limits: limit } : {}), ...(request ? { requests: request } : {}) };
}

function quantities(cpus: unknown, memory: unknown): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const cores = typeof cpus === 'number' ? cpus : typeof cpus === 'string' ? Number.parseFloat(cpus) : Number.NaN;
  // 0 means "no limit" in Docker.
  if (Number.isFinite(cores) && cores > 0) out.cpu = `${Math.max(1, Math.round(cores * 1000))}m`;
  if (memory !== undefined && memory !== null) {
    const bytes = parseBytes(memory);
    if (bytes > 0) out.memory = memoryQuantity(bytes);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Bytes in the largest binary unit that divides them: 104857600 -> "100Mi". */
export function memoryQuantity(bytes: number): string {
  for (const [unit, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function warnRest(ctx: ConvertContext, service: string, part: string, values: Dict, handled: readonly string[]): void {
  for (const key of Object.keys(values).sort()) {
    if (handled.includes(key) || values[key] === undefined || values[key] === null) continue;
    ctx.warn('service', service, `deploy.resources.${part}.${key} is not converted (Kubernetes schedules by cpu and memory)`);
  }
}
