// additional_contexts as the planner reads them: a named context that is an image (`docker-image://ref`) or another
// service's image (`service:name`) can reach the classic builder (named in the Dockerfile); `service:` also orders
// the builds. Other kinds (a directory, a URL, an OCI layout) cannot.
import { BerthError } from '../model/errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';

export interface NamedContexts {
  /** Context name -> image reference, to put in the Dockerfile. */
  readonly images: ReadonlyMap<string, string>;
  /** Services whose images must be built first. */
  readonly services: readonly string[];
  /** Contexts that cannot be passed (name -> value). */
  readonly unsupported: ReadonlyMap<string, string>;
}

export function namedContexts(project: Project, service: ServiceConfig): NamedContexts {
  const images = new Map<string, string>();
  const services: string[] = [];
  const unsupported = new Map<string, string>();
  for (const [name, value] of Object.entries(service.build?.additional_contexts ?? {})) {
    if (value.startsWith('service:')) {
      const other = value.slice('service:'.length);
      const target = project.services[other];
      if (!target) throw new BerthError(`services.${service.name}.build.additional_contexts.${name}: no such service: ${other}`, { kind: 'not-found' });
      if (!target.build) throw new BerthError(`services.${service.name}.build.additional_contexts.${name}: service ${other} has no build section`);
      images.set(name, serviceImage(project.name, target));
      services.push(other);
    } else if (value.startsWith('docker-image://')) {
      images.set(name, value.slice('docker-image://'.length));
    } else {
      unsupported.set(name, value);
    }
  }
  return { images, services, unsupported };
}
