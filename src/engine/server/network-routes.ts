// Networks: the predefined `host` and `none` networks.
import { EngineError } from '../errors.js';
import { queryFilters, sendJson } from './http.js';
import type { Router } from './router.js';

/** The predefined networks; creating others is refused until the engine has bridge networks. */
const PREDEFINED_NETWORKS = [
  { Name: 'host', Id: 'host', Driver: 'host' },
  { Name: 'none', Id: 'none', Driver: 'null' },
].map((network) => ({
  ...network,
  Created: '0001-01-01T00:00:00Z',
  Scope: 'local',
  EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigOnly: false,
  Containers: {},
  Options: {},
  Labels: {},
}));

export function addNetworkRoutes(router: Router): void {
  router.add('GET', '/networks', ({ response, query }) => {
    const filters = queryFilters(query);
    const list = PREDEFINED_NETWORKS.filter((network) => {
      for (const [name, values] of filters) {
        if (name === 'label') return false;
        if (name === 'name' && !values.some((value) => network.Name.includes(value))) return false;
        if (name === 'id' && !values.some((value) => network.Id.startsWith(value))) return false;
        if (name === 'driver' && !values.includes(network.Driver)) return false;
      }
      return true;
    });
    sendJson(response, 200, list);
  });
  router.add('GET', '/networks/{id}', ({ response, params }) => {
    const network = PREDEFINED_NETWORKS.find((candidate) => candidate.Name === params.id || candidate.Id === params.id);
    if (!network) throw new EngineError('not-found', `network ${params.id} not found`);
    sendJson(response, 200, network);
  });
  router.add('POST', '/networks/create', () => {
    throw new EngineError('unsupported', "creating networks is not supported by berth's engine yet");
  });
}
