// `berth convert --to kubernetes` (also `berth config --to kubernetes`): the resolved project as Kubernetes
// manifests on stdout, one file per object in `-o DIR`, or sent to the current kubeconfig's cluster with `--apply`.
// What cannot be converted is one warning line each on stderr.
import type { Command } from 'commander';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDotEnv, parseRawEnvFile } from '../model/dotenv.js';
import { BerthError } from '../model/errors.js';
import { readTextFile } from '../model/files.js';
import type { ConvertInputs } from '../kubernetes/convert.js';
import type { VerbContext } from './main.js';
import { loadProject } from './project-loading.js';

export const CONVERT_TARGETS = ['kubernetes'] as const;

export interface ConvertFlags {
  readonly to?: string;
  readonly output?: string;
  readonly statefulset?: boolean;
  readonly volumeSize?: string;
  readonly apply?: boolean;
  /** config's `--no-consistency`: the dependency checks (a container name with a scale, unknown services) skipped. */
  readonly consistency?: boolean;
}

// One byte over Kubernetes' 1 MiB object limit is enough to know a file is too big.
const MAX_CONTENT_BYTES = 1024 * 1024 + 1;

export function addConvertOptions(command: Command): Command {
  return command
    .option('--to <target>', `write the project for another platform instead: ${CONVERT_TARGETS.join(', ')} (-o then names a directory)`)
    .option('--statefulset', 'with --to kubernetes: services that mount named volumes become StatefulSets (a claim per pod)', false)
    .option('--volume-size <size>', "with --to kubernetes: the size of a volume's claim when no kompose.volume.size label says (default 100Mi)")
    .option('--apply', 'with --to kubernetes: server-side apply the objects to the current kubeconfig context instead of printing them', false);
}

/** Whether the flags ask for another platform (or use an option that only makes sense with one). */
export function wantsConversion(flags: ConvertFlags): boolean {
  if (flags.to !== undefined) return true;
  if (flags.apply || flags.statefulset || flags.volumeSize !== undefined) throw new BerthError('--apply, --statefulset and --volume-size need --to kubernetes');
  return false;
}

export async function runConvertTo(ctx: VerbContext, flags: ConvertFlags, services: readonly string[]): Promise<number> {
  if (flags.to !== 'kubernetes') throw new BerthError(`unsupported target "${flags.to}": expected one of ${CONVERT_TARGETS.join(', ')}`);
  if (flags.volumeSize !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(flags.volumeSize)) {
    throw new BerthError(`invalid --volume-size "${flags.volumeSize}": expected a Kubernetes quantity such as 500Mi or 10Gi`);
  }
  // Loaded here, not at start-up: `berth config` (this verb's module) should not pay for the converter.
  const [{ toKubernetes }, { fileNameOf, toYamlDocument, toYamlStream }, { applyObjects }] = await Promise.all([
    import('../kubernetes/convert.js'),
    import('../kubernetes/output.js'),
    import('../kubernetes/apply.js'),
  ]);
  const project = await loadProject(ctx, { services, consistency: flags.consistency !== false });
  const { objects, warnings } = toKubernetes(project, fileInputs(project.environment), {
    statefulSets: flags.statefulset === true,
    ...(flags.volumeSize !== undefined ? { defaultVolumeSize: flags.volumeSize } : {}),
  });
  for (const warning of warnings) ctx.warn(warning);
  if (flags.output !== undefined) {
    const directory = resolve(ctx.cwd, flags.output);
    mkdirSync(directory, { recursive: true });
    for (const object of objects) {
      // Secrets hold credentials: readable by their owner only.
      writeFileSync(join(directory, fileNameOf(object)), toYamlDocument(object), { mode: object.kind === 'Secret' ? 0o600 : 0o644 });
    }
  }
  if (flags.apply) {
    await applyObjects(objects, { environment: ctx.environment, report: (line) => ctx.stdout.write(`${line}\n`) });
  } else if (flags.output === undefined) {
    ctx.stdout.write(toYamlStream(objects));
  }
  return 0;
}

/** How conversion reads files: configs and secrets as bytes (bounded), env files as compose parses them. */
function fileInputs(environment: Readonly<Record<string, string>>): ConvertInputs {
  return {
    readFile: readBounded,
    readEnvFile: (path, format, required) => {
      let text: string;
      try {
        text = readTextFile(path);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined;
        if (cause instanceof BerthError) throw cause;
        throw new BerthError(`cannot read env file ${path}: ${(cause as Error).message}`, { cause, position: { file: path } });
      }
      const values = format === 'raw' ? parseRawEnvFile(text, path) : parseDotEnv(text, path, (name) => environment[name]);
      return [...values];
    },
  };
}

/** A config or secret file, read up to just past Kubernetes' limit (a path may name something huge, or a device). */
function readBounded(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw new BerthError('not a regular file');
    const buffer = Buffer.alloc(MAX_CONTENT_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
