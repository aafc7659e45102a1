// `berth build`: build the images of services that have a `build` section, through the engine's classic builder.
import type { Command } from 'commander';
import { buildPlan } from '../apply/build/plan.js';
import { selectServices } from '../graph/select.js';
import { planBuilds } from '../plan/images.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { connect, loadProject, progressSink, VERSION } from './session.js';

interface BuildFlags {
  buildArg: string[];
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
  withDependencies: boolean;
  push: boolean;
  print: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerBuildCommand(program: Command, run: RunVerb): void {
  program
    .command('build')
    .description('build or rebuild services')
    .argument('[services...]')
    .option('--build-arg <key=value>', 'set a build-time variable (repeatable)', collect, [])
    .option('--no-cache', 'do not use the cache when building the image')
    .option('--pull', 'always attempt to pull a newer version of the image', false)
    .option('-q, --quiet', "don't print anything to stdout", false)
    .option('--with-dependencies', 'also build the dependencies of the services named', false)
    .option('--push', 'push the service images after building them', false)
    .option('--print', 'print the build plan as JSON (a bake file) instead of building', false)
    .action(run((ctx, cmd) => runBuild(ctx, cmd.opts<BuildFlags & { cache?: boolean }>(), cmd.args)));
}

async function runBuild(ctx: VerbContext, flags: BuildFlags & { cache?: boolean }, services: string[]): Promise<number> {
  const buildArgs: Record<string, string> = {};
  for (const entry of flags.buildArg) {
    const equals = entry.indexOf('=');
    // `--build-arg KEY` takes the value from the caller's environment, as docker does.
    const value = equals < 0 ? ctx.environment[entry] : entry.slice(equals + 1);
    if (value !== undefined) buildArgs[equals < 0 ? entry : entry.slice(0, equals)] = value;
  }
  const project = selectServices(await loadProject(ctx, { services }), services, { withDependencies: flags.withDependencies });
  const targets = services.length > 0 && !flags.withDependencies ? services : Object.keys(project.services).sort();
  if (flags.print) {
    const plan = buildPlan(project, targets, { buildArgs, noCache: flags.cache === false, pull: flags.pull, version: VERSION });
    ctx.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  const plan = planBuilds(project, targets, { flags: { args: buildArgs, noCache: flags.cache === false, pullBase: flags.pull }, push: flags.push });
  const engine = await connect(ctx);
  const sink = progressSink(ctx, 'Building');
  try {
    const runner = new PlanRunner(ctx, engine, project, sink);
    await runner.run(plan);
    runner.finish();
  } finally {
    sink.close();
  }
  return 0;
}
