// The short volume syntax `[source:]target[:options]` read into the long form, as compose's format.ParseVolume does.
import { posix } from 'node:path';
import { BerthError } from '../errors.js';
import type { Dict, TreePath } from '../tree.js';

const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);
const SELINUX = new Set(['z', 'Z']);

export function parseVolumeSpec(spec: string, path: TreePath): Dict {
  if (spec.length === 0) throw new BerthError('invalid empty volume spec', { path });
  if (spec.length <= 2) return { type: 'volume', target: spec };
  const fields = splitSpec(spec);
  if (fields.some((field) => field === '')) throw new BerthError(`invalid spec: ${spec}: empty section between colons`, { path });
  if (fields.length > 3) throw new BerthError(`invalid spec: ${spec}: too many colons`, { path });
  const [first, second, options] = fields as [string, string | undefined, string | undefined];
  const source = second === undefined ? '' : first;
  const target = second === undefined ? first : second;
  const volume: Dict = { type: 'volume' };
  if (source !== '') volume.source = source;
  volume.target = target === '' ? '' : posix.normalize(target).replace(/(.)\/$/, '$1');
  const bind: Dict = {};
  let nocopy = false;
  for (const option of (options ?? '').split(',')) {
    if (option === 'ro') volume.read_only = true;
    else if (option === 'rw') delete volume.read_only;
    else if (option === 'nocopy') nocopy = true;
    else if (PROPAGATIONS.has(option)) bind.propagation = option;
    else if (SELINUX.has(option)) bind.selinux = option;
  }
  if (isFilePath(source)) {
    volume.type = 'bind';
    // Short syntax binds create a missing host path, as docker-compose 1.x did.
    volume.bind = { ...bind, create_host_path: true };
  } else {
    if (Object.keys(bind).length > 0) volume.bind = bind;
    volume.volume = nocopy ? { nocopy: true } : {};
  }
  return volume;
}

/** Splits on colons, except a Windows drive letter's and those inside `${...}`. */
function splitSpec(spec: string): string[] {
  const fields: string[] = [];
  let buffer = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const char = spec[i]!;
    if (char === '$' && spec[i + 1] === '{') depth++;
    else if (char === '}' && depth > 0) depth--;
    if (char === ':' && depth === 0 && !(buffer.length === 1 && /\p{L}/u.test(buffer))) {
      fields.push(buffer);
      buffer = '';
    } else {
      buffer += char;
    }
  }
  fields.push(buffer);
  return fields;
}

function isFilePath(source: string): boolean {
  if (source === '') return false;
  if ('./~'.includes(source[0]!) || source.startsWith('\\\\')) return true;
  return /^\p{L}:/u.test(source);
}
