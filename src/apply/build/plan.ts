// `build --print`: the build plan as JSON, in the bake-file shape `docker compose build --print` prints (a default
// group naming the targets, one target per service), so that the plan can be read, diffed or fed to buildx bake.
import type { Project } from '../../model/types.js';
import { serviceImage } from '../../observe/observe.js';
import { buildLabels } from '../images.js';

export interface BuildPlanOptions {
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly noCache?: boolean;
  readonly pull?: boolean;
  readonly version: string;
}

export function buildPlan(project: Project, services: readonly string[], options: BuildPlanOptions): Record<string, unknown> {
  const targets: Record<string, unknown> = {};
  for (const name of services) {
    const service = project.services[name];
    const build = service?.build;
    if (!service || !build) continue;
    const args: Record<string, string> = {};
    for (const [key, value] of Object.entries(build.args ?? {})) if (value !== null && value !== undefined) args[key] = value;
    Object.assign(args, options.buildArgs);
    targets[name] = {
      context: build.context,
      ...(build.dockerfile_inline !== undefined ? { 'dockerfile-inline': build.dockerfile_inline } : { dockerfile: build.dockerfile ?? 'Dockerfile' }),
      ...(Object.keys(args).length > 0 ? { args } : {}),
      labels: buildLabels(project, service, options.version),
      tags: [serviceImage(project.name, service), ...(build.tags ?? [])],
      ...(build.target ? { target: build.target } : {}),
      ...(build.cache_from?.length ? { 'cache-from': build.cache_from } : {}),
      ...(build.network ? { network: build.network } : {}),
      ...(build.extra_hosts?.length ? { 'extra-hosts': build.extra_hosts } : {}),
      ...(build.shm_size !== undefined ? { 'shm-size': String(build.shm_size) } : {}),
      ...(build.no_cache || options.noCache ? { 'no-cache': true } : {}),
      ...(build.pull || options.pull ? { pull: true } : {}),
      ...(build.platforms ? { platforms: build.platforms } : {}),
      output: ['type=docker'],
    };
  }
  return { group: { default: { targets: Object.keys(targets) } }, target: targets };
}
