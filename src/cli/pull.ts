// `berth pull [SERVICE...]`: the service images, pulled from their registries side by side with this user's
// credentials, as `docker compose pull` does: pull_policy honoured (never and build skip, missing skips what is
// there unless its tag is latest), one image pulled once for all the services that run it.
import { Option } from 'commander';
import type { Command } from 'commander';
import { eachInParallel, IMAGE_PARALLELISM } from '../apply/images.js';
import { pullImage } from '../apply/transfer.js';
import type { Engine, ImageDetails } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { selectServices } from '../model/select.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { decidePullVerb } from '../plan/pull-policy.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink } from '../progress/events.js';
import { createSink } from '../progress/sinks.js';
import type { RunVerb, VerbContext } from './main.js';
import { connect, loadProject, parallelLimit, progressSink } from './session.js';

interface PullFlags {
  quiet: boolean;
  includeDeps: boolean;
  ignorePullFailures: boolean;
  ignoreBuildable: boolean;
  policy?: string;
}

export function registerPullCommand(program: Command, run: RunVerb): void {
  program
    .command('pull')
    .description('pull service images')
    .argument('[services...]')
    .option('-q, --quiet', 'pull without printing progress information', false)
    .option('--include-deps', 'also pull services declared as dependencies', false)
    .option('--ignore-pull-failures', 'pull what it can and ignore images with pull failures', false)
    .option('--ignore-buildable', 'ignore images that can be built', false)
    .option('--policy <policy>', 'apply pull policy ("missing"|"always")')
    // compose's deprecated switches: accepted, with its warning.
    .addOption(new Option('--parallel').hideHelp())
    .addOption(new Option('--no-parallel').hideHelp())
    .action(
      run((ctx, cmd) => {
        if (cmd.getOptionValueSource('parallel') === 'cli') {
          ctx.stderr.write(`option '--${cmd.getOptionValue('parallel') ? '' : 'no-'}parallel' is DEPRECATED and will be ignored.\n`);
        }
        return runPull(ctx, cmd.opts<PullFlags>(), cmd.args);
      }),
    );
}

/** One image to pull, and the services that run it (the first names it in messages). */
interface PullTarget {
  readonly reference: string;
  readonly service: ServiceConfig;
}

async function runPull(ctx: VerbContext, flags: PullFlags, names: string[]): Promise<number> {
  if (flags.policy !== undefined && !['missing', 'always'].includes(flags.policy)) {
    throw new BerthError(`invalid --policy option "${flags.policy}": use missing or always`);
  }
  const project = selectServices(loadProject(ctx, { services: names }), names, { withDependencies: flags.includeDeps });
  const engine = await connect(ctx);
  const sink = flags.quiet ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx, 'Pulling');
  let failures: Failure[];
  try {
    const targets = await pullTargets(engine, project, flags, sink);
    if (ctx.flags.dryRun) {
      for (const target of targets) ctx.stdout.write(`DRY-RUN MODE - pull image ${target.reference} for service ${target.service.name}\n`);
      return 0;
    }
    failures = await pullAll(engine, targets, sink, { quiet: flags.quiet, ignoreFailures: flags.ignorePullFailures, limit: parallelLimit(ctx) || IMAGE_PARALLELISM });
  } finally {
    sink.close();
  }
  const buildable = failures.filter((failure) => failure.target.service.build !== undefined);
  if (buildable.length > 0) {
    ctx.stderr.write(`WARN[0000] WARNING: Some service image(s) must be built from source by running:\n    berth build ${buildable.map((failure) => failure.target.service.name).join(' ')}\n`);
  }
  if (failures.length === 0 || flags.ignorePullFailures) return 0;
  // A failure nothing can make up for is the answer; else all of them.
  const fatal = failures.find((failure) => failure.target.service.build === undefined);
  const shown = fatal ? [fatal] : failures;
  throw new BerthError(shown.map(({ target, error }) => `service ${target.service.name}: pulling ${target.reference} failed: ${error.message}`).join('\n'), { kind: 'engine' });
}

/** The images to pull, each once; the services skipped say why on the progress display. */
async function pullTargets(engine: Engine, project: Project, flags: PullFlags, sink: ProgressSink): Promise<PullTarget[]> {
  const services = Object.keys(project.services)
    .sort()
    .map((name) => project.services[name]!);
  const references = [...new Set(services.map((service) => service.image).filter((image): image is string => !!image))];
  const local = new Map<string, ImageDetails | undefined>(await Promise.all(references.map(async (reference) => [reference, await engine.images.inspect(reference)] as const)));
  const targets: PullTarget[] = [];
  for (const service of services) {
    const reference = service.image;
    if (!reference) {
      sink.event(progressEvent(service.name, 'Skipped', 'No image to be pulled'));
      continue;
    }
    const decision = decidePullVerb(service, local.get(reference), flags.policy);
    if (!decision.pull) {
      sink.event(progressEvent(`Image ${reference}`, 'Skipped', decision.reason));
      continue;
    }
    if (service.build !== undefined && flags.ignoreBuildable) {
      sink.event(progressEvent(`Image ${reference}`, 'Skipped', 'Image can be built'));
      continue;
    }
    if (targets.some((target) => target.reference === reference)) continue;
    targets.push({ reference, service });
  }
  return targets;
}

interface Failure {
  readonly target: PullTarget;
  readonly error: Error;
}

/**
 * Pulls side by side, at most `limit` at once. An image that can be neither pulled nor built stops further pulls
 * (those under way finish), unless failures are ignored.
 */
async function pullAll(engine: Engine, targets: readonly PullTarget[], sink: ProgressSink, options: { quiet: boolean; ignoreFailures: boolean; limit: number }): Promise<Failure[]> {
  const failures: Failure[] = [];
  let stopped = false;
  await eachInParallel(
    targets.map((target) => [target.reference, target] as const),
    options.limit,
    () => [],
    async ([, target]) => {
      if (stopped) return;
      const buildable = target.service.build !== undefined;
      const platform = typeof target.service.platform === 'string' ? target.service.platform : undefined;
      const error = await pullImage(engine, target.reference, platform, sink, { quiet: options.quiet, fallback: buildable || options.ignoreFailures });
      if (!error) return;
      failures.push({ target, error });
      if (!buildable && !options.ignoreFailures) stopped = true;
    },
  );
  return failures.sort((a, b) => (a.target.service.name < b.target.service.name ? -1 : 1));
}
