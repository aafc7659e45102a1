// For the converters' unit tests: a plan context for service `web` of project `shop`, with the given changes.
import type { ContainerPlanContext } from './context.js';

export function planContext(changes: Partial<ContainerPlanContext> = {}): ContainerPlanContext {
  return {
    projectName: 'shop',
    serviceName: 'web',
    containerName: 'shop-web-1',
    number: 1,
    labels: {},
    networkNames: {},
    volumeNames: {},
    apiVersion: '1.47',
    ...changes,
  };
}
