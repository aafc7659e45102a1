// What the engine will run once a plan has been carried out, as far as the plan says: the next stage of a dry run
// (starting what `up` converged) is planned from this, since nothing was really created. New containers are known
// by name until they exist.
import type { ObservedContainer } from '../observe/observe.js';
import type { StartCandidate } from './start.js';
import type { Plan } from './types.js';

export function containersAfter(containers: readonly ObservedContainer[], plan: Plan): StartCandidate[] {
  const state = new Map<string, StartCandidate>();
  for (const container of containers) {
    if (!container.oneoff) state.set(container.id, { id: container.id, name: container.name, service: container.service, number: container.number, state: container.state });
  }
  const finalNames = new Map<number, string>();
  for (const { operation } of plan.nodes) if (operation.kind === 'rename-container') finalNames.set(operation.createNode, operation.name);
  for (const { id, operation } of plan.nodes) {
    switch (operation.kind) {
      case 'create-container': {
        const name = finalNames.get(id) ?? operation.name;
        state.set(name, { id: name, name, service: operation.service, number: operation.number, state: 'created' });
        break;
      }
      case 'remove-container':
        state.delete(operation.container.id);
        break;
      case 'stop-container':
      case 'kill-container':
        if (state.has(operation.container.id)) state.set(operation.container.id, { ...state.get(operation.container.id)!, state: 'exited' });
        break;
      case 'start-container':
      case 'unpause-container':
      case 'restart-container':
        if (state.has(operation.container.id)) state.set(operation.container.id, { ...state.get(operation.container.id)!, state: 'running' });
        break;
      default:
        break;
    }
  }
  return [...state.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
