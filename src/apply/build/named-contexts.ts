// additional_contexts for the classic builder: a named context that is an image (`docker-image://ref`) or another
// service's image (`service:name`) is given to the build by naming that image in the Dockerfile itself (its FROM
// lines and --from flags), which is what BuildKit does with it; `service:` also orders the builds. Other kinds (a
// directory, a URL, an OCI layout) cannot reach the classic builder.
import { BerthError } from '../../model/errors.js';
import type { Project, ServiceConfig } from '../../model/types.js';
import { serviceImage } from '../../observe/observe.js';

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

/**
 * The Dockerfile with each named context replaced by its image: `FROM name` (not a stage of the file) and
 * `--from=name`. Line continuations and other instructions are left as they are.
 */
export function substituteContexts(dockerfile: string, images: ReadonlyMap<string, string>): string {
  if (images.size === 0) return dockerfile;
  const stages = new Set<string>();
  return dockerfile
    .split('\n')
    .map((line) => {
      const from = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i.exec(line);
      if (from) {
        const replaced = !stages.has(from[2]!.toLowerCase()) && images.has(from[2]!) ? `${from[1]}${images.get(from[2]!)}${from[3]}` : line;
        const stage = /\s+AS\s+(\S+)/i.exec(from[3]!)?.[1];
        if (stage) stages.add(stage.toLowerCase());
        return replaced;
      }
      return line.replace(/--from=(\S+)/g, (whole, name: string) => (!stages.has(name.toLowerCase()) && images.has(name) ? `--from=${images.get(name)}` : whole));
    })
    .join('\n');
}
