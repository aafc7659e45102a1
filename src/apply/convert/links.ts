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
      const short = container.name.startsWith(`${ctx.projectName}-`) ? container.name.slice(ctx.projectName.length + 1) : container.name;
      links.push(`${container.name}:${service.name}`, `${container.name}:${short}`, `${container.name}:${container.name}`);
    }
  }
  const external: unknown = service['external_links'];
  if (isPresent(external)) {
    for (const spec of toStringList(external, servicePath(service.name, 'external_links'))) {
      const [container, alias] = splitLink(spec);
      links.push(`${container}:${alias}`);
    }
  }
  return links;
}
