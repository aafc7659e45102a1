// What the swarm holds for one stack, read once before deciding: its services (and the others, for the ports they
// publish), the networks it names, its secrets and configs (and the external ones it names).
import type { Swarm } from '../engine-client/swarm.js';
import type { SwarmStack } from './convert.js';
import { NAMESPACE_LABEL, stackFilter } from './names.js';
import type { ObservedStack } from './plan.js';

export async function observeStack(swarm: Swarm, stack: Pick<SwarmStack, 'name' | 'networks' | 'fileObjects'>): Promise<ObservedStack> {
  const filter = stackFilter(stack.name);
  const wantedNetworks = new Set(stack.networks.map((network) => network.name));
  const [all, networks, secrets, configs] = await Promise.all([
    swarm.services({}),
    swarm.networks({}),
    fileObjects(swarm, 'secrets', filter, stack.fileObjects),
    fileObjects(swarm, 'configs', filter, stack.fileObjects),
  ]);
  const own = (service: (typeof all)[number]) => service.spec.Labels?.[NAMESPACE_LABEL] === stack.name;
  return {
    services: all.filter(own),
    otherServices: all.filter((service) => !own(service)),
    // A swarm-scoped network of that name (a local bridge of the same name cannot carry a service).
    networks: new Map(networks.filter((network) => wantedNetworks.has(network.name) && network.scope === 'swarm').map((network) => [network.name, network.id])),
    secrets,
    configs,
  };
}

async function fileObjects(swarm: Swarm, kind: 'secrets' | 'configs', filter: { label: string[] }, wanted: SwarmStack['fileObjects']) {
  const own = await swarm.list(kind, filter);
  const names = new Set(own.map((object) => object.name));
  // Objects named by the stack but not labelled as its own (external ones), looked up by their exact name.
  const others = wanted.filter((object) => object.kind === kind && !names.has(object.name)).map((object) => object.name);
  if (others.length === 0) return own;
  const found = await swarm.list(kind, { name: others });
  return [...own, ...found.filter((object) => others.includes(object.name))];
}
