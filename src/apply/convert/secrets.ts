// A service's `secrets:` and `configs:` on a single engine, as compose does it: an entry whose top-level definition
// names a `file:` is bind-mounted read-only, a secret at /run/secrets/<target> (the source's name when no target is
// given), a config at /<target>. Definitions that hold their data (`environment:` names a variable of the project's
// environment, `content:` is the text) are files written into the created container before it starts, with the
// entry's uid, gid and mode (0444 by default). A swarm keeps these objects itself; one engine has nowhere to take an
// `external` one from, so that is an error naming it.
import { isAbsolute } from 'node:path';
import posix from 'node:path/posix';
import { BerthError } from '../../model/errors.js';
import { ownValue } from '../../model/keys.js';
import { isDict } from '../../model/tree.js';
import type { Dict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { MountBody } from '../../engine-api/index.js';
import type { ContainerPlanContext } from './context.js';
import type { Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { isPresent, servicePath, toText } from './scalars.js';

type Kind = 'secrets' | 'configs';

/** A bind mount of one file object (its target always set). */
export type FileMount = MountBody & { readonly Target: string };

const BASE_DIR: Readonly<Record<Kind, string>> = { secrets: '/run/secrets', configs: '/' };
const SINGULAR: Readonly<Record<Kind, string>> = { secrets: 'secret', configs: 'config' };

/** Where a file object goes in the container: an absolute target as written, a relative one under the base dir. */
export function fileObjectTarget(kind: Kind, source: string, target: string | undefined): string {
  const name = target === undefined || target === '' ? source : target;
  return isAbsolute(name) ? name : posix.join(BASE_DIR[kind], name);
}

/** The read-only bind mounts of the service's file secrets and configs, in the order the service lists them. */
export function fileObjectMounts(service: ServiceConfig, ctx: Pick<ContainerPlanContext, 'secrets' | 'configs'>, warn: Warn): FileMount[] {
  return [...mountsOf('secrets', service, ctx.secrets ?? {}, warn), ...mountsOf('configs', service, ctx.configs ?? {}, warn)];
}

function mountsOf(kind: Kind, service: ServiceConfig, definitions: Readonly<Record<string, Dict>>, warn: Warn): FileMount[] {
  const raw: unknown = service[kind];
  if (!isPresent(raw)) return [];
  const path = servicePath(service.name, kind);
  if (!Array.isArray(raw)) throw new BerthError('expected a list', { path });
  const mounts: FileMount[] = [];
  let ownershipWarned = false;
  raw.forEach((entry: unknown, index) => {
    const at = [...path, index];
    const reference = isDict(entry) ? entry : { source: entry };
    const source = toText(reference['source'], [...at, 'source']);
    const definition = ownValue(definitions, source);
    if (definition === undefined) throw new BerthError(`${SINGULAR[kind]} "${source}" is not defined in the top-level ${kind} section`, { path: at });
    if (definition['external'] === true) {
      throw new BerthError(
        `${SINGULAR[kind]} "${source}" is external: only a swarm keeps such objects; on a single engine give it a file: (or deploy to a swarm with berth deploy)`,
        { path: at },
      );
    }
    if (!isPresent(definition['file'])) {
      if (isPresent(definition['environment']) || isPresent(definition['content'])) return; // written in: inlineObjectFiles
      throw new BerthError(`${SINGULAR[kind]} "${source}" has no file, environment or content: a single engine cannot provide it (driver-backed ones need a swarm)`, { path: at });
    }
    if (!ownershipWarned && (isPresent(reference['uid']) || isPresent(reference['gid']) || isPresent(reference['mode']))) {
      ownershipWarned = true;
      warn(serviceWarning(service.name, `${kind} uid, gid and mode apply to swarm services only and will be ignored`));
    }
    const target = isPresent(reference['target']) ? toText(reference['target'], [...at, 'target']) : undefined;
    // The Mounts API (not a Binds string): a missing file is an error, never an empty directory made in its place.
    mounts.push({ Type: 'bind', Source: toText(definition['file'], [...at, 'file']), Target: fileObjectTarget(kind, source, target), ReadOnly: true });
  });
  return mounts;
}

/** A secret or config written into the container as a file: where, what, and whose. */
export interface InlineFile {
  /** Absolute path in the container. */
  readonly target: string;
  readonly content: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The service's `environment:` and `content:` secrets and configs, as the files to write into its container. A
 * variable that is not set is an error naming it: a container must not start without its secret.
 */
export function inlineObjectFiles(
  service: ServiceConfig,
  project: { readonly secrets?: Readonly<Record<string, Dict>>; readonly configs?: Readonly<Record<string, Dict>>; readonly environment: Readonly<Record<string, string>> },
): InlineFile[] {
  const files: InlineFile[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    const raw: unknown = service[kind];
    if (!Array.isArray(raw)) continue;
    raw.forEach((entry: unknown, index) => {
      const at = [...servicePath(service.name, kind), index];
      const reference = isDict(entry) ? entry : { source: entry };
      const source = toText(reference['source'], [...at, 'source']);
      const definition = ownValue(project[kind] ?? {}, source);
      if (definition === undefined || isPresent(definition['file']) || definition['external'] === true) return;
      let content: string;
      if (isPresent(definition['environment'])) {
        const variable = toText(definition['environment'], [kind, source, 'environment']);
        const value = ownValue(project.environment, variable);
        if (value === undefined) throw new BerthError(`${SINGULAR[kind]} "${source}" comes from the environment variable ${variable}, which is not set`, { path: at });
        content = value;
      } else if (isPresent(definition['content'])) {
        content = toText(definition['content'], [kind, source, 'content']);
      } else return;
      const target = isPresent(reference['target']) ? toText(reference['target'], [...at, 'target']) : undefined;
      files.push({
        target: fileObjectTarget(kind, source, target),
        content,
        mode: isPresent(reference['mode']) ? fileMode(reference['mode'], [...at, 'mode']) : 0o444,
        uid: isPresent(reference['uid']) ? numericId(reference['uid'], [...at, 'uid']) : 0,
        gid: isPresent(reference['gid']) ? numericId(reference['gid'], [...at, 'gid']) : 0,
      });
    });
  }
  return files;
}

/** `"0440"` (octal, as written in compose files) or a number (the mode's value). */
function fileMode(value: unknown, path: ReadonlyArray<string | number>): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o7777) return value;
  if (typeof value === 'string' && /^0?[0-7]{1,4}$/.test(value.trim())) return Number.parseInt(value.trim(), 8);
  throw new BerthError(`invalid mode ${JSON.stringify(value)}: use an octal file mode such as "0440"`, { path });
}

/** uid and gid are numbers (a name would need the image's passwd file, which compose does not read either). */
function numericId(value: unknown, path: ReadonlyArray<string | number>): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1) throw new BerthError(`invalid id ${JSON.stringify(value)}: use a number`, { path });
  return Number(text);
}
