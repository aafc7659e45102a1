// Volumes: create, list with filters, inspect, remove (409 while a container uses it), prune.
import { filters, flag } from '../../engine-api/query.js';
import { VolumeCreate } from '../../engine-api/volumes.js';
import { invalid } from '../errors.js';
import { VOLUME_CREATE_FIELDS } from '../services/fields/other-fields.js';
import type { VolumeRecord } from '../services/volumes.js';
import { labelMatches } from './filters.js';
import { sendEmpty, sendJson } from './http.js';
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

  router.add('GET', '/volumes', { query: { filters: filters() } }, ({ response, q }) => {
    const given = q.filters ?? new Map<string, string[]>();
    const list = volumes.list().filter((record) => matches(record, given, ['name', 'driver', 'dangling', 'label']));
    sendJson(response, 200, { Volumes: list.map(volumeJson), Warnings: null });
  });
  router.add('POST', '/volumes/create', { body: { description: VolumeCreate, limit: 1024 * 1024 }, fields: VOLUME_CREATE_FIELDS }, ({ response, body }) => {
    sendJson(response, 201, volumeJson(volumes.create(body)));
  });
  router.add('POST', '/volumes/prune', { query: { filters: filters() } }, async ({ response, q }) => {
    const given = q.filters ?? new Map<string, string[]>();
    // Since API 1.42 a prune removes anonymous volumes only, unless asked for all.
    const all = given.get('all')?.some((value) => value === 'true' || value === '1') ?? false;
    given.delete('all');
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const record of volumes.list()) {
      if (!matches(record, given, ['label', 'label!']) || (!all && !volumes.isAnonymous(record))) continue;
      if (containers.volumeUsers(record.name).length > 0) continue;
      const size = volumes.size(record.name);
      await volumes.remove(record.name, []);
      deleted.push(record.name);
      reclaimed += size;
    }
    sendJson(response, 200, { VolumesDeleted: deleted, SpaceReclaimed: reclaimed });
  });
  router.add('GET', '/volumes/{name}', ({ response, params }) => sendJson(response, 200, volumeJson(volumes.get(params.name!))));
  router.add('DELETE', '/volumes/{name}', { query: { force: flag() } }, async ({ response, params, q }) => {
    await volumes.remove(params.name!, containers.volumeUsers(params.name!), Boolean(q.force));
    sendEmpty(response, 204);
  });
}
