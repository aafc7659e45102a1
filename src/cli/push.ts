// `berth push [SERVICE...]`: the images of services that are built here (a build section and an image name), under
// that name and every build.tags entry, pushed side by side with this user's credentials, as `docker compose push`.
import type { Command } from 'commander';
import { eachInParallel, IMAGE_PARALLELISM } from '../apply/images.js';
import { pushImage } from '../apply/transfer.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { selectServices } from '../model/select.js';
import type { Project } from '../model/types.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink } from '../progress/events.js';
import { createSink } from '../progress/sinks.js';
import type { RunVerb, VerbContext } from './main.js';
import { connect, loadProject, parallelLimit, progressSink } from './session.js';

interface PushFlags {
  quiet: boolean;
  includeDeps: boolean;
  ignorePushFailures: boolean;
}

export function registerPushCommand(program: Command, run: RunVerb): void {
  program
    .command('push')
    .description('push service images')
    .argument('[services...]')
    .option('-q, --quiet', 'push without printing progress information', false)
    .option('--include-deps', 'also push images of services declared as dependencies', false)
    .option('--ignore-push-failures', 'push what it can and ignore images with push failures', false)
    .action(run((ctx, cmd) => runPush(ctx, cmd.opts<PushFlags>(), cmd.args)));
}

async function runPush(ctx: VerbContext, flags: PushFlags, names: string[]): Promise<number> {
  const project = selectServices(loadProject(ctx, { services: names }), names, { withDependencies: flags.includeDeps });
  const sink = flags.quiet ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx, 'Pushing');
  try {
    const tags = pushTargets(project, sink);
    if (ctx.flags.dryRun) {
      for (const [service, list] of tags) for (const tag of list) ctx.stdout.write(`DRY-RUN MODE - push image ${tag} for service ${service}\n`);
      return 0;
    }
    const engine = await connect(ctx);
    await pushAll(engine, tags, sink, { quiet: flags.quiet, ignoreFailures: flags.ignorePushFailures, limit: parallelLimit(ctx) || IMAGE_PARALLELISM });
  } finally {
    sink.close();
  }
  return 0;
}

/** Service -> its tags (image, then build.tags); a service berth does not build (or without an image name) is skipped. */
function pushTargets(project: Project, sink: ProgressSink): Map<string, string[]> {
  const targets = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    if (service.build === undefined || !service.image) {
      sink.event(progressEvent(name, 'Skipped'));
      continue;
    }
    const tags = [service.image, ...(service.build.tags ?? [])].filter((tag) => !seen.has(tag));
    for (const tag of tags) seen.add(tag);
    if (tags.length > 0) targets.set(name, tags);
  }
  return targets;
}

/**
 * Services side by side, at most `limit` at once; one service's tags one after the other (the layers go up with the
 * first, the others find them there). The first failure is the answer unless failures are ignored (then warnings).
 */
async function pushAll(engine: Engine, targets: ReadonlyMap<string, string[]>, sink: ProgressSink, options: { quiet: boolean; ignoreFailures: boolean; limit: number }): Promise<void> {
  const failures: string[] = [];
  await eachInParallel([...targets], options.limit, () => [], async ([service, tags]) => {
    for (const tag of tags) {
      const error = await pushImage(engine, tag, sink, { quiet: options.quiet, fallback: options.ignoreFailures });
      if (error) failures.push(`service ${service}: pushing ${tag} failed: ${error.message}`);
    }
  });
  if (failures.length > 0 && !options.ignoreFailures) throw new BerthError(failures.sort()[0]!, { kind: 'engine' });
}
