// links and external_links -> the legacy `Links` list (`<container>:<alias>`), which compose also sets on every
// endpoint. A linked service gets three aliases per container, as compose v1 gave them.
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import { isPresent, servicePath, toStringList } from './scalars.js';

const ONE_OFF_LABEL = 'com.docker.compose.oneoff';

function splitLink(spec: string): [string, string] {
  const colon = spec.indexOf(':');
  return colon < 0 ? [spec, spec] : [spec.slice(0, colon), spec.slice(colon + 1)];
}

export function containerLinks(service: ServiceConfig, ctx: ContainerPlanContext): string[] {
  const links: string[] = [];
  const containersOf = (name: string) => ctx.containersByService?.[name] ?? [];
  if (isPresent(service.links)) {
    for (const spec of toStringList(service.links, servicePath(service.name, 'links'))) {
      const [linked, alias] = splitLink(spec);
      // As compose v2 names them (the number is the linking container's, compose's own quirk). On the default
      // bridge each name is also a set of `<NAME>_PORT_...` variables; the same link twice is sent once.
      for (const container of containersOf(linked)) {
        links.push(
          `${container.name}:${alias}`,
          `${container.name}:${linked}-${ctx.number}`,
          `${container.name}:${ctx.projectName}-${linked}-${ctx.number}`,
        );
      }
    }
  }
  // A one-off container (`run`) reaches the service's own containers by their names.
  if (ctx.labels[ONE_OFF_LABEL] === 'True') {
    for (const container of containersOf(service.name)) {
      links.push(`${container.name}:${service.name}`, `${container.name}:${shortName(container.name, ctx.projectName)}`, `${container.name}:${container.name}`);
    }
  }
  const external: unknown = service['external_links'];
  if (isPresent(external)) {
    for (const spec of toStringList(external, servicePath(service.name, 'external_links'))) {
      const [container, alias] = splitLink(spec);
      links.push(`${container}:${alias}`);
    }
  }
  return [...new Set(links)];
}

/** `demo-db-1` -> `db-1` (`demo_db_1` -> `db_1` with --compatibility). */
function shortName(name: string, project: string): string {
  return name.startsWith(`${project}-`) || name.startsWith(`${project}_`) ? name.slice(project.length + 1) : name;
}
