// Networks: create, list with filters, inspect, remove (409 while containers use it), connect, disconnect, prune.
import { NetworkConnect, NetworkCreate, NetworkDisconnect } from '../../engine-api/networks.js';
import { filters, flag, text } from '../../engine-api/query.js';
import { invalid } from '../errors.js';
import { NETWORK_CONNECT_FIELDS, NETWORK_CREATE_FIELDS } from '../services/fields/other-fields.js';
import type { NetworkRecord } from '../services/networks.js';
import { labelMatches, timestamp } from './filters.js';
import { sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addNetworkRoutes(router: Router, services: EngineServices): void {
  const { networks, containers } = services;

  const networkJson = (record: NetworkRecord, withContainers: boolean): Record<string, unknown> => {
    const attached: Record<string, unknown> = {};
    if (withContainers) {
      for (const id of containers.networkUsers(record.id)) {
        const container = containers.get(id);
        const endpoint = Object.values(container.networks).find((candidate) => candidate.networkId === record.id);
        if (!endpoint?.endpointId) continue;
        attached[id] = {
          Name: container.name,
          EndpointID: endpoint.endpointId,
          MacAddress: endpoint.mac ?? '',
          IPv4Address: `${endpoint.ipAddress}/${endpoint.prefixLen}`,
          IPv6Address: '',
        };
      }
    }
    return {
      Name: record.name,
      Id: record.id,
      Created: record.created,
      Scope: 'local',
      Driver: record.driver,
      EnableIPv6: false,
      IPAM: {
        Driver: 'default',
        Options: record.ipamOptions ?? null,
        Config: record.subnet ? [{ Subnet: record.subnet, Gateway: record.gateway, ...(record.ipRange ? { IPRange: record.ipRange } : {}) }] : [],
      },
      Internal: record.internal,
      Attachable: record.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: attached,
      Options: record.options,
      Labels: record.labels,
    };
  };

  const matches = (record: NetworkRecord, filters: Map<string, string[]>, allowed: readonly string[]): boolean => {
    for (const [name, values] of filters) {
      if (!allowed.includes(name)) throw invalid(`invalid filter '${name}'`);
      const any = (test: (value: string) => boolean): boolean => values.some(test);
      if (name === 'name' && !any((value) => record.name.includes(value))) return false;
      if (name === 'id' && !any((value) => record.id.startsWith(value))) return false;
      if (name === 'driver' && !any((value) => value === record.driver)) return false;
      if (name === 'scope' && !any((value) => value === 'local')) return false;
      if (name === 'type' && !any((value) => value === (networks.isPredefined(record) ? 'builtin' : 'custom'))) return false;
      if (name === 'label' && !values.every((value) => labelMatches(record.labels, value))) return false;
      if (name === 'label!' && any((value) => labelMatches(record.labels, value))) return false;
      if (name === 'dangling' && (containers.networkUsers(record.id).length === 0) !== (values[0] === 'true' || values[0] === '1')) return false;
      if (name === 'until' && Date.parse(record.created) > timestamp(values[0]!)) return false;
    }
    return true;
  };

  router.add('GET', '/networks', { query: { filters: filters() } }, ({ response, q }) => {
    const given = q.filters ?? new Map<string, string[]>();
    const list = networks.list().filter((record) => matches(record, given, ['name', 'id', 'driver', 'scope', 'type', 'label', 'dangling']));
    sendJson(response, 200, list.map((record) => networkJson(record, false)));
  });
  router.add('POST', '/networks/create', { body: { description: NetworkCreate, limit: 1024 * 1024, emptyMessage: 'network config cannot be empty' }, fields: NETWORK_CREATE_FIELDS }, async ({ response, body }) => {
    const record = await networks.create(body);
    sendJson(response, 201, { Id: record.id, Warning: '' });
  });
  router.add('POST', '/networks/prune', { query: { filters: filters() } }, async ({ response, q }) => {
    const given = q.filters ?? new Map<string, string[]>();
    const deleted: string[] = [];
    for (const record of networks.list()) {
      if (networks.isPredefined(record) || !matches(record, given, ['label', 'label!', 'until'])) continue;
      if (containers.networkUsers(record.id).length > 0) continue;
      await networks.remove(record.id, []);
      deleted.push(record.name);
    }
    sendJson(response, 200, { NetworksDeleted: deleted });
  });
  router.add('GET', '/networks/{id}', { query: { verbose: flag(), scope: text({ max: 32 }) } }, ({ response, params }) => sendJson(response, 200, networkJson(networks.get(params.id!), true)));
  router.add('DELETE', '/networks/{id}', async ({ response, params }) => {
    const record = networks.get(params.id!);
    await networks.remove(record.id, containers.networkUsers(record.id));
    sendEmpty(response, 204);
  });
  router.add('POST', '/networks/{id}/connect', { body: { description: NetworkConnect, limit: 1024 * 1024 }, fields: NETWORK_CONNECT_FIELDS }, async ({ response, params, body }) => {
    if (!body.Container) throw invalid('a container is needed to connect to a network');
    await containers.connect(body.Container, networks.get(params.id!).id, body.EndpointConfig ?? {});
    sendEmpty(response, 200);
  });
  router.add('POST', '/networks/{id}/disconnect', { body: { description: NetworkDisconnect, limit: 64 * 1024 } }, async ({ response, params, body }) => {
    if (!body.Container) throw invalid('a container is needed to disconnect from a network');
    await containers.disconnect(body.Container, networks.get(params.id!).id);
    sendEmpty(response, 200);
  });
}
