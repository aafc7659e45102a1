// `berth down`: stop and remove the project's containers (dependents first), then its networks; named volumes only
// with -v, images only with --rmi. Works from the labels alone when the files are gone.
import type { Command } from 'commander';
import { actOnContainers } from '../apply/lifecycle.js';
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { serviceImage } from '../observe/observe.js';
import { LABEL, projectFilter } from '../plan/labels.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink } from '../progress/events.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectContainers, projectOrName, servicesAsDicts, withServicesFromLabels } from './project-ref.js';
import { connect, envBoolean, parallelLimit, parseSeconds, progressSink } from './session.js';

interface DownFlags {
  volumes: boolean;
  removeOrphans: boolean;
  rmi?: string;
  timeout?: number;
}

export function registerDownCommand(program: Command, run: RunVerb): void {
  program
    .command('down')
    .description('stop and remove containers and networks')
    .argument('[services...]', 'only these services')
    .option('-v, --volumes', 'remove named volumes declared in the volumes section and anonymous volumes attached to containers', false)
    .option('--remove-orphans', 'remove containers for services not defined in the compose files', false)
    .option('--rmi <type>', 'remove images used by services: "local" (only images without a custom tag) or "all"')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', parseSeconds)
    .action(run((ctx, cmd) => runDown(ctx, cmd.opts<DownFlags>(), cmd.args)));
}

async function runDown(ctx: VerbContext, flags: DownFlags, services: string[]): Promise<number> {
  if (flags.rmi !== undefined && !['local', 'all'].includes(flags.rmi)) throw new BerthError(`invalid --rmi "${flags.rmi}": use local or all`);
  const ref = projectOrName(ctx);
  const engine = await connect(ctx);
  const all = await projectContainers(engine, ref.project.name);
  const project = ref.fromFiles ? ref.project : withServicesFromLabels(ref.project, all);
  const removeOrphans = flags.removeOrphans || envBoolean(ctx.environment.COMPOSE_REMOVE_ORPHANS);
  const known = new Set([...Object.keys(project.services), ...project.disabledServices]);
  const targeted = services.length > 0 ? new Set(services) : undefined;
  const byService = new Map<string, ContainerSummary[]>();
  const orphans: ContainerSummary[] = [];
  for (const container of all) {
    const service = container.labels[LABEL.service] ?? '';
    if (targeted && !targeted.has(service)) continue;
    if (!known.has(service)) {
      orphans.push(container);
      if (!removeOrphans) continue;
    }
    byService.set(service, [...(byService.get(service) ?? []), container]);
  }
  if (orphans.length > 0 && !removeOrphans) {
    ctx.warn(`Found orphan containers (${orphans.map((container) => container.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  if (ctx.flags.dryRun) {
    for (const container of [...byService.values()].flat()) ctx.stdout.write(`DRY-RUN MODE - stop and remove container ${container.name}\n`);
    return 0;
  }
  const sink = progressSink(ctx, 'Running');
  try {
    const options = { reverse: true, removeVolumes: flags.volumes, parallel: parallelLimit(ctx), ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}) };
    await actOnContainers(engine, servicesAsDicts(project), byService, 'stop', sink, options);
    await actOnContainers(engine, servicesAsDicts(project), byService, 'remove', sink, options);
    if (targeted) return 0;
    await removeNetworks(engine, ref.project.name, sink);
    if (flags.volumes) await removeVolumes(engine, ref.project.name, sink);
    if (flags.rmi) await removeImages(engine, project, flags.rmi as 'local' | 'all', sink);
  } finally {
    sink.close();
  }
  return 0;
}

async function removeNetworks(engine: Engine, project: string, sink: ProgressSink): Promise<void> {
  // Only what compose created for this project carries its labels: external networks are never touched.
  const networks = await engine.networks.list(projectFilter(project));
  await Promise.all(
    networks.map(async (network) => {
      const resource = `Network ${network.name}`;
      sink.event(progressEvent(resource, 'Removing'));
      try {
        await engine.networks.remove(network.id);
      } catch (error) {
        sink.event(progressEvent(resource, 'Error', (error as Error).message));
        throw error;
      }
      sink.event(progressEvent(resource, 'Removed'));
    }),
  );
}

async function removeVolumes(engine: Engine, project: string, sink: ProgressSink): Promise<void> {
  const volumes = await engine.volumes.list(projectFilter(project));
  await Promise.all(
    volumes.map(async (volume) => {
      const resource = `Volume ${volume.name}`;
      sink.event(progressEvent(resource, 'Removing'));
      await engine.volumes.remove(volume.name, false);
      sink.event(progressEvent(resource, 'Removed'));
    }),
  );
}

async function removeImages(engine: Engine, project: { name: string; services: Readonly<Record<string, { name: string; image?: string }>> }, mode: 'local' | 'all', sink: ProgressSink): Promise<void> {
  const references = new Set<string>();
  for (const service of Object.values(project.services)) {
    // "local": only the images berth names itself (<project>-<service>), never one the files name.
    if (mode === 'local' && service.image) continue;
    references.add(serviceImage(project.name, service));
  }
  for (const reference of [...references].sort()) {
    if (!(await engine.images.inspect(reference))) continue;
    const resource = `Image ${reference}`;
    sink.event(progressEvent(resource, 'Removing'));
    try {
      await engine.images.remove(reference);
      sink.event(progressEvent(resource, 'Removed'));
    } catch (error) {
      sink.event(progressEvent(resource, 'Warning', (error as Error).message));
    }
  }
}
