// The container a verb acts on when the user names a service (exec, attach, cp, port, top, export, commit): the one
// with the given `--index`, else the lowest-numbered, one-offs last, as compose picks it. A service the files do
// not define, and a service without a (running) container, are errors that say which.
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../model/labels.js';
import type { ProjectRef } from './project-ref.js';

export interface TargetOptions {
  /** `--index`: the replica with this number (1-based); 0 or absent: the first. */
  readonly index?: number;
  /** Stopped containers count too (cp, export); else only running ones (exec, attach). */
  readonly all?: boolean;
  /** One-off (`run`) containers count too, after the service's own (exec, attach). */
  readonly oneoffs?: boolean;
}

/** The service must be one the files define (when there are files): a typo is named as such, not "not running". */
export function checkService(ref: ProjectRef, service: string): void {
  if (!ref.fromFiles) return;
  const { project } = ref;
  if (Object.hasOwn(project.services, service)) return;
  if (project.disabledServices.includes(service)) throw new BerthError(`service "${service}" is not enabled by the active profiles`, { kind: 'not-found' });
  throw new BerthError(`no such service: ${service}`, { kind: 'not-found' });
}

/** `--index N`: a positive whole number. */
export function parseIndex(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) throw new BerthError(`invalid --index "${value}": use a container number (1, 2, ...)`);
  return parsed;
}

/** The service's containers in compose's order: by number, one-offs last. */
export async function serviceContainers(engine: Engine, project: string, service: string, options: TargetOptions = {}): Promise<ContainerSummary[]> {
  const labels = [`${LABEL.project}=${project}`, `${LABEL.service}=${service}`];
  if (!options.oneoffs) labels.push(`${LABEL.oneoff}=False`);
  if (options.index) labels.push(`${LABEL.number}=${options.index}`);
  const found = await engine.containers.list({ label: labels }, options.all ?? false);
  const oneoff = (container: ContainerSummary): boolean => (container.labels[LABEL.oneoff] ?? '').toLowerCase() === 'true';
  const number = (container: ContainerSummary): number => Number(container.labels[LABEL.number] ?? 0) || 0;
  return found.sort((a, b) => Number(oneoff(a)) - Number(oneoff(b)) || number(a) - number(b) || (a.name < b.name ? -1 : 1));
}

/** The one container: `service "web" is not running` (container #N with --index) when there is none. */
export async function serviceContainer(engine: Engine, project: string, service: string, options: TargetOptions = {}): Promise<ContainerSummary> {
  const [first] = await serviceContainers(engine, project, service, options);
  if (first) return first;
  const what = options.all ? 'has no container' : 'is not running';
  throw new BerthError(options.index ? `service "${service}" ${what === 'is not running' ? 'is not running container' : 'has no container'} #${options.index}` : `service "${service}" ${what}`, {
    kind: 'not-found',
  });
}
