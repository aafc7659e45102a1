// The `filters` of list and events requests: labels, globs on references, and the container filters compose uses.
import { invalid } from '../errors.js';
import type { ContainerRecord } from '../services/container-record.js';
import type { EngineServices } from './routes.js';

export function labelMatches(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const equals = filter.indexOf('=');
  if (equals < 0) return filter in labels;
  return labels[filter.slice(0, equals)] === filter.slice(equals + 1);
}

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
        if (!any((value) => new RegExp(value.replace(/^\//, '')).test(record.name))) return false;
        break;
      case 'id':
        if (!any((value) => record.id.startsWith(value))) return false;
        break;
      case 'status':
        if (!any((value) => value === record.state.status)) return false;
        break;
      case 'ancestor':
        if (!any((value) => record.image === value || record.imageId === value || services.images.tryResolve(value)?.id === record.imageId)) return false;
        break;
      case 'network':
        if (!any((value) => value === (record.hostConfig.NetworkMode === 'host' ? 'host' : 'none'))) return false;
        break;
      case 'volume':
        if (!any((value) => record.binds.some((bind) => bind.source === value || bind.target === value))) return false;
        break;
      case 'exited':
        if (record.state.status !== 'exited' || !any((value) => Number(value) === record.state.exitCode)) return false;
        break;
      default:
        throw invalid(`invalid filter '${name}'`);
    }
  }
  return true;
}
