// `berth down`: stop and remove the project's containers (dependents first), then its networks; named volumes only
// with -v, images only with --rmi (planned in src/plan/down.ts). Works from the labels alone when the files are gone.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { observeImages, observeProject, serviceImage } from '../observe/observe.js';
import { planDown } from '../plan/down.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { noProfiledServices, profiledServices } from './profiles-only.js';
import { projectOrName, withServicesFromLabels } from './project-ref.js';
import { connect, envBoolean, parseSeconds, progressSink } from './session.js';

export interface DownFlags {
  volumes: boolean;
  removeOrphans: boolean;
  rmi?: string;
  timeout?: number;
  /** Only the services of the active profiles (src/cli/profiles-only.ts). */
  profilesOnly?: boolean;
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
    .option('--profiles-only', "only the services of the active profiles (of every profile when none is active); networks and named volumes stay")
    .action(run((ctx, cmd) => runDown(ctx, cmd.opts<DownFlags>(), cmd.args)));
}

export async function runDown(ctx: VerbContext, flags: DownFlags, named: string[]): Promise<number> {
  let services = named;
  if (flags.profilesOnly) {
    const profiled = await profiledServices(ctx, named);
    if (profiled.services.length === 0) return noProfiledServices(ctx, profiled);
    services = profiled.services;
  }
  if (flags.rmi !== undefined && !['local', 'all'].includes(flags.rmi)) throw new BerthError(`invalid --rmi "${flags.rmi}": use local or all`);
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  let observed = await observeProject(engine, ref.project, { oneoffs: true });
  const project = ref.fromFiles ? ref.project : withServicesFromLabels(ref.project, observed.containers);
  // Without the files, the services (and so their images) are known only once the containers are.
  if (!ref.fromFiles && flags.rmi) observed = { ...observed, images: await observeImages(engine, Object.values(project.services).map((service) => serviceImage(project.name, service))) };
  const plan = planDown(project, observed, {
    services,
    removeOrphans: flags.removeOrphans || envBoolean(ctx.environment.COMPOSE_REMOVE_ORPHANS),
    volumes: flags.volumes,
    ...(flags.rmi ? { rmi: flags.rmi as 'local' | 'all' } : {}),
    ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
  });
  const sink = progressSink(ctx, 'Running');
  try {
    const runner = new PlanRunner(ctx, engine, project, sink);
    await runner.run(plan, { observed });
    runner.finish();
  } finally {
    sink.close();
  }
  return 0;
}
