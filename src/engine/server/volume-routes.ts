// Volumes: create, list with filters, inspect, remove (409 while a container uses it), prune.
import { invalid } from '../errors.js';
import type { VolumeRecord, VolumeRequest } from '../services/volumes.js';
import { labelMatches } from './filters.js';
import { queryBoolean, queryFilters, readJson, sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addVolumeRoutes(router: Router, services: EngineServices): void {
  const { volumes, containers } = services;
  const volumeJson = (record: VolumeRecord): Record<string, unknown> => ({
    CreatedAt: record.createdAt,
    Driver: record.driver,
    Labels: Object.keys(record.labels).length > 0 ? record.labels : null,
    Mountpoint: volumes.mountpoint(record.name),
    Name: record.name,
    Options: Object.keys(record.options).length > 0 ? record.options : null,
    Scope: 'local',
  });
  const matches = (record: VolumeRecord, filters: Map<string, string[]>, allowed: readonly string[]): boolean => {
    for (const [name, values] of filters) {
      if (!allowed.includes(name)) throw invalid(`invalid filter '${name}'`);
      if (name === 'name' && !values.some((value) => record.name.includes(value))) return false;
      if (name === 'driver' && !values.includes(record.driver)) return false;
      if (name === 'dangling' && (containers.volumeUsers(record.name).length > 0) === (values[0] === 'true' || values[0] === '1')) return false;
      if (name === 'label' && !values.every((value) => labelMatches(record.labels, value))) return false;
      if (name === 'label!' && values.some((value) => labelMatches(record.labels, value))) return false;
    }
    return true;
  };

  router.add('GET', '/volumes', ({ response, query }) => {
    const filters = queryFilters(query);
    const list = volumes.list().filter((record) => matches(record, filters, ['name', 'driver', 'dangling', 'label']));
    sendJson(response, 200, { Volumes: list.map(volumeJson), Warnings: null });
  });
  router.add('POST', '/volumes/create', async ({ request, response }) => {
    const body = (await readJson<VolumeRequest>(request)) ?? {};
    sendJson(response, 201, volumeJson(volumes.create(body)));
  });
  router.add('POST', '/volumes/prune', async ({ response, query }) => {
    const filters = queryFilters(query);
    // Since API 1.42 a prune removes anonymous volumes only, unless asked for all.
    const all = filters.get('all')?.some((value) => value === 'true' || value === '1') ?? false;
    filters.delete('all');
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const record of volumes.list()) {
      if (!matches(record, filters, ['label', 'label!']) || (!all && !volumes.isAnonymous(record))) continue;
      if (containers.volumeUsers(record.name).length > 0) continue;
      const size = volumes.size(record.name);
      await volumes.remove(record.name, []);
      deleted.push(record.name);
      reclaimed += size;
    }
    sendJson(response, 200, { VolumesDeleted: deleted, SpaceReclaimed: reclaimed });
  });
  router.add('GET', '/volumes/{name}', ({ response, params }) => sendJson(response, 200, volumeJson(volumes.get(params.name!))));
  router.add('DELETE', '/volumes/{name}', async ({ response, params, query }) => {
    await volumes.remove(params.name!, containers.volumeUsers(params.name!), queryBoolean(query, 'force'));
    sendEmpty(response, 204);
  });
}
