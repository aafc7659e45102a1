// A service's `secrets:` and `configs:` on a single engine, as compose does it: an entry whose top-level definition
// names a `file:` is bind-mounted read-only, a secret at /run/secrets/<target> (the source's name when no target is
// given), a config at /<target>. A swarm keeps these objects itself; one engine has nowhere to take an `external`
// one from, so that is an error. Definitions that hold their data (`environment:`, `content:`) are an error for now.
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
      const from = isPresent(definition['environment']) ? 'environment' : isPresent(definition['content']) ? 'content' : 'driver';
      // Compose copies these into the container before it starts; berth does not yet, and a container that
      // starts without its secret is worse than one that does not start.
      throw new BerthError(`${SINGULAR[kind]} "${source}" from ${from} is not supported by berth yet: give it a file:`, { path: at });
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
