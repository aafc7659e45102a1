// Verbs that act on what runs (down, ps, stop, logs, ...) work from the files when there are some, and from the
// containers' labels alone when the files are gone, as compose does.
import { basename } from 'node:path';
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { isBerthError } from '../model/errors.js';
import { normalizeProjectName } from '../model/discovery.js';
import type { Dict } from '../model/tree.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { LABEL } from '../model/labels.js';
import type { VerbContext } from './main.js';
import { loadProject } from './session.js';

export interface ProjectRef {
  readonly project: Project;
  /** False when the project was rebuilt from labels because no compose file was found. */
  readonly fromFiles: boolean;
}

export async function projectOrName(ctx: VerbContext, options: { services?: readonly string[] } = {}): Promise<ProjectRef> {
  try {
    return { project: await loadProject(ctx, { ...(options.services ? { services: options.services } : {}), consistency: false }), fromFiles: true };
  } catch (error) {
    const noFiles = isBerthError(error) && error.kind === 'not-found' && /no configuration file provided/.test(error.message);
    if (!noFiles || ctx.flags.file.length > 0) throw error;
    const name = ctx.flags.projectName || ctx.environment.COMPOSE_PROJECT_NAME || normalizeProjectName(basename(ctx.flags.projectDirectory ?? ctx.cwd));
    return { project: emptyProject(name, ctx.cwd), fromFiles: false };
  }
}

function emptyProject(name: string, workingDir: string): Project {
  return { name, workingDir, configFiles: [], environment: {}, services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, disabledServices: [], model: {} };
}

/** When the files are gone, each service seen on a container stands for itself (no dependencies known). */
export function withServicesFromLabels(project: Project, containers: ReadonlyArray<Pick<ContainerSummary, 'labels'>>): Project {
  const services: Record<string, ServiceConfig> = { ...project.services };
  for (const container of containers) {
    const service = container.labels[LABEL.service];
    if (service && !(service in services)) services[service] = { name: service } as ServiceConfig;
  }
  return { ...project, services };
}

export async function projectContainers(engine: Engine, project: string, options: { oneoff?: boolean } = {}): Promise<ContainerSummary[]> {
  const filters: Record<string, string[]> = { label: [`${LABEL.project}=${project}`] };
  if (options.oneoff === false) filters.label!.push(`${LABEL.oneoff}=False`);
  const containers = await engine.containers.list(filters, true);
  return containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function servicesAsDicts(project: Project): Record<string, Dict> {
  return project.services as Record<string, Dict>;
}
