// `berth volumes [SERVICE...]`: the project's volumes (those a named service's running containers mount, when
// services are named), as compose lists them: table, json, a Go template, or `-q` for the names.
import type { Command } from 'commander';
import { parseListFormat, renderList } from '../format/formatter.js';
import { DEFAULT_VOLUME_TABLE, VOLUME_HEADER, volumeContext } from '../format/volume.js';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../model/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { connect } from './session.js';

export function registerVolumesCommand(program: Command, run: RunVerb): void {
  program
    .command('volumes')
    .description('list volumes')
    .argument('[services...]')
    .option('-q, --quiet', 'only display volume names', false)
    .option('--format <format>', 'format the output: table, json, "table TEMPLATE" or a Go template', 'table')
    .action(run((ctx, cmd) => runVolumes(ctx, cmd.opts<{ quiet: boolean; format: string }>(), cmd.args)));
}

async function runVolumes(ctx: VerbContext, flags: { quiet: boolean; format: string }, services: readonly string[]): Promise<number> {
  const format = parseListFormat(flags.format, DEFAULT_VOLUME_TABLE);
  const ref = await projectOrName(ctx);
  if (ref.fromFiles) {
    for (const service of services) if (!Object.hasOwn(ref.project.services, service)) throw new BerthError(`no such service: ${service}`, { kind: 'not-found' });
  }
  const engine = await connect(ctx);
  const filter = { label: [`${LABEL.project}=${ref.project.name}`] };
  let volumes = (await engine.volumes.list(filter)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (services.length > 0) {
    const running = await engine.containers.list(filter, false);
    const mounted = new Set(running.filter((container) => services.includes(container.labels[LABEL.service] ?? '')).flatMap((container) => container.mounts.map((mount) => mount.name)));
    volumes = volumes.filter((volume) => mounted.has(volume.name));
  }
  if (flags.quiet) {
    for (const volume of volumes) ctx.stdout.write(`${volume.name}\n`);
    return 0;
  }
  ctx.stdout.write(renderList(format, volumes.map(volumeContext), VOLUME_HEADER));
  return 0;
}
