// The `filters` of list and events requests: labels, globs on references, and the container filters compose uses.
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { invalid } from '../errors.js';
import type { ContainerRecord } from '../services/container-record.js';
import type { ImageRecord } from '../services/images.js';
import type { EngineServices } from './routes.js';

export function labelMatches(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const equals = filter.indexOf('=');
  if (equals < 0) return filter in labels;
  return labels[filter.slice(0, equals)] === filter.slice(equals + 1);
}

/**
 * moby's `filters.Match`: a value equal to the text, or a Go regular expression (RE2, so linear time whatever the
 * pattern) found in it; a pattern that does not compile matches nothing, as in dockerd.
 */
export function filterMatch(values: readonly string[], text: string): boolean {
  return values.some((value) => value === text || compiled(value)?.matcher(text).find() === true);
}

// re2js (a quarter of a MiB of code) is loaded by the first pattern, not by every engine start.
const load = createRequire(import.meta.url);
let re2: typeof RE2JS | undefined;

const patterns = new Map<string, RE2JS | undefined>();
function compiled(pattern: string): RE2JS | undefined {
  if (!patterns.has(pattern)) {
    if (patterns.size > 1000) patterns.clear();
    let regex: RE2JS | undefined;
    try {
      re2 ??= (load('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
      regex = re2.compile(pattern);
    } catch {
      regex = undefined;
    }
    patterns.set(pattern, regex);
  }
  return patterns.get(pattern);
}

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const HEALTH = ['starting', 'healthy', 'unhealthy', 'none'];

export function globMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

export function matchesFilters(record: ContainerRecord, filters: Map<string, string[]>, services: EngineServices): boolean {
  for (const [name, values] of filters) {
    const any = (test: (value: string) => boolean): boolean => values.some(test);
    switch (name) {
      case 'label':
        if (!values.every((value) => labelMatches(record.config.Labels, value))) return false;
        break;
      case 'name':
        // As dockerd: the name with its leading slash or without, so `^/web$` and `^web$` both match web.
        if (!filterMatch(values, `/${record.name}`) && !filterMatch(values, record.name)) return false;
        break;
      case 'id':
        if (!filterMatch(values, record.id)) return false;
        break;
      case 'status':
        for (const value of values) if (!STATUSES.includes(value)) throw invalid(`invalid filter 'status=${value}'`);
        if (!any((value) => value === record.state.status)) return false;
        break;
      case 'ancestor':
        if (!any((value) => record.image === value || record.imageId === value || services.images.tryResolve(value)?.id === record.imageId)) return false;
        break;
      case 'network':
        if (!any((value) => networkNames(record).includes(value) || Object.values(record.networks ?? {}).some((endpoint) => endpoint.networkId.startsWith(value)))) return false;
        break;
      case 'volume':
        if (!any((value) => record.mounts.some((mount) => mount.name === value || mount.source === value || mount.target === value))) return false;
        break;
      case 'before':
      case 'since': {
        // Containers created before (since: after) the named one.
        const other = services.containers.get(values[0]!);
        if (name === 'before' ? record.created >= other.created : record.created <= other.created) return false;
        break;
      }
      case 'health':
        for (const value of values) if (!HEALTH.includes(value)) throw invalid(`Unrecognised filter value for health: ${value}`);
        if (!any((value) => value === (record.state.health?.Status ?? 'none'))) return false;
        break;
      case 'exited':
        for (const value of values) if (!/^-?\d{1,10}$/.test(value)) throw invalid(`invalid filter 'exited=${value}'`);
        if (record.state.status !== 'exited' || !any((value) => Number(value) === record.state.exitCode)) return false;
        break;
      default:
        throw invalid(`invalid filter '${name}'`);
    }
  }
  return true;
}

/** The names of the networks the container is on (host and none for those modes). */
function networkNames(record: ContainerRecord): string[] {
  const names = Object.keys(record.networks ?? {});
  if (names.length > 0) return names;
  const mode = record.hostConfig.NetworkMode ?? '';
  return mode === 'host' || mode === 'none' ? [mode] : [];
}

/** `GET /images/json` filters: dangling, label, reference, and before/since/until by creation time. */
export function matchesImageFilters(image: ImageRecord, filters: Map<string, string[]>, services: EngineServices): boolean {
  const { images } = services;
  const created = Date.parse(image.config.created ?? '') || 0;
  for (const [name, values] of filters) {
    switch (name) {
      case 'dangling':
        if ((images.tagsOf(image.id).length === 0) !== (values[0] === 'true' || values[0] === '1')) return false;
        break;
      case 'label':
        if (!values.every((value) => labelMatches(image.config.config?.Labels ?? {}, value))) return false;
        break;
      case 'reference':
        if (!images.tagsOf(image.id).some((tag) => values.some((pattern) => globMatch(pattern, tag) || globMatch(pattern, tag.split(':')[0]!)))) return false;
        break;
      case 'before':
      case 'since': {
        const other = Date.parse(images.resolve(values[0]!).config.created ?? '') || 0;
        if (name === 'before' ? created >= other : created <= other) return false;
        break;
      }
      case 'until': {
        const limit = timestamp(values[0]!);
        if (created > limit) return false;
        break;
      }
      default:
        throw invalid(`invalid filter '${name}'`);
    }
  }
  return true;
}

/** A time as clients send it: Unix seconds (with fractions), an RFC 3339 date, or a duration ago (`10m`). */
export function timestamp(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ago = /^(\d+)(s|m|h)$/.exec(value);
  if (ago) return Date.now() - Number(ago[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[ago[2] as 's' | 'm' | 'h'];
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalid(`invalid timestamp: ${value}`);
  return parsed;
}
