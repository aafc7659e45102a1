// `berth images [SERVICE...]`: the image of each of the project's containers, as compose lists them (table or json,
// `-q` for the ids).
import type { Command } from 'commander';
import type { ContainerSummary } from '../engine-client/index.js';
import { reportsOf } from '../engine-client/reports.js';
import type { ImageFacts } from '../engine-client/reports.js';
import { printFormat } from '../format/compose-print.js';
import { humanDuration, humanSize } from '../format/units.js';
import { LABEL } from '../model/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectContainers, projectOrName } from './project-ref.js';
import { connect } from './session.js';
import { formatTable } from './table.js';

export function registerImagesCommand(program: Command, run: RunVerb): void {
  program
    .command('images')
    .description('list images used by the created containers')
    .argument('[services...]')
    .option('--format <format>', 'format the output: table or json', 'table')
    .option('-q, --quiet', 'only display ids', false)
    .action(run((ctx, cmd) => runImages(ctx, cmd.opts<{ format: string; quiet: boolean }>(), cmd.args)));
}

interface ContainerImage {
  readonly container: string;
  readonly repository: string;
  readonly tag: string;
  /** undefined: the engine no longer has the image (only the id the container records is known). */
  readonly facts?: ImageFacts;
  readonly id: string;
}

async function runImages(ctx: VerbContext, flags: { format: string; quiet: boolean }, services: readonly string[]): Promise<number> {
  const format = printFormat(flags.format);
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const reports = reportsOf(engine);
  const containers = (await projectContainers(engine, ref.project.name)).filter(
    (container) => services.length === 0 || services.includes(container.labels[LABEL.service] ?? ''),
  );
  const images = await Promise.all(containers.map((container) => containerImage(container, reports.image(container.image))));
  if (flags.quiet) {
    const ids = [...new Set(images.map((image) => image.id.replace(/^[^:]*:/, '')))];
    for (const id of ids) ctx.stdout.write(`${id}\n`);
    return 0;
  }
  if (format === 'json') {
    const list = images.map((image) => ({
      ID: image.id,
      ContainerName: image.container,
      Repository: image.repository,
      Tag: image.tag,
      Platform: platform(image.facts),
      Size: image.facts?.size ?? 0,
      ...(image.facts?.createdText !== undefined ? { Created: image.facts.createdText } : {}),
      ...(image.facts?.lastTagTime && !image.facts.lastTagTime.startsWith('0001-') ? { LastTagTime: image.facts.lastTagTime } : {}),
    }));
    ctx.stdout.write(`${JSON.stringify(images.length === 0 ? null : list)}\n`);
    return 0;
  }
  const now = Date.now();
  const rows = images.map((image) => [
    image.container,
    image.repository || '<none>',
    image.tag || '<none>',
    platform(image.facts),
    image.id.replace(/^[^:]*:/, '').slice(0, 12),
    humanSize(image.facts?.size ?? 0, 3),
    image.facts?.created !== undefined ? `${humanDuration(now - image.facts.created)} ago` : 'N/A',
  ]);
  ctx.stdout.write(formatTable([['CONTAINER', 'REPOSITORY', 'TAG', 'PLATFORM', 'IMAGE ID', 'SIZE', 'CREATED'], ...rows]));
  return 0;
}

async function containerImage(container: ContainerSummary, facts: Promise<ImageFacts | undefined>): Promise<ContainerImage> {
  const found = await facts;
  return { container: container.name, ...familiarReference(container.image), ...(found ? { facts: found } : {}), id: found?.id ?? container.imageId };
}

/** containerd's platforms.Format: `linux/amd64`, `linux/arm/v7`; `unknown` without an OS. */
function platform(facts: ImageFacts | undefined): string {
  if (!facts?.os) return 'unknown';
  return [facts.os, facts.architecture, facts.variant].filter(Boolean).join('/');
}

/** The repository (as docker shows it: no `docker.io/library/`) and tag of a reference; none for an image id. */
export function familiarReference(reference: string): { repository: string; tag: string } {
  if (/^sha256:[0-9a-f]{64}$/.test(reference) || /^[0-9a-f]{64}$/.test(reference)) return { repository: '', tag: '' };
  const [name = '', digest] = reference.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tagged = colon > slash;
  const repository = (tagged ? name.slice(0, colon) : name).replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '');
  return { repository, tag: tagged ? name.slice(colon + 1) : digest ? '' : 'latest' };
}
