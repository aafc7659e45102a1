// Defaults compose fills in once the files are merged: a build context, secret targets, port protocol and mode,
// device counts and the create-host-path flag of binds.
import { findHandler, isDict, patternTable } from './tree.js';
import type { Dict, TreePath } from './tree.js';

type Filler = (value: Dict) => void;

export function setDefaultValues(tree: Dict): Dict {
  const walk = (value: unknown, path: TreePath): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (!isDict(value)) return value;
    const out: Dict = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key]);
    findHandler(DEFAULTS, path)?.(out);
    return out;
  };
  return walk(tree, []) as Dict;
}

const fill =
  (defaults: (value: Dict) => Dict): Filler =>
  (value) => {
    for (const [key, item] of Object.entries(defaults(value))) if (!(key in value)) value[key] = item;
  };

const deviceCount: Filler = (value) => {
  if (!('count' in value) && !('device_ids' in value)) value.count = 'all';
};

const DEFAULTS = patternTable<Filler>([
  ['services.*.build', fill(() => ({ context: '.' }))],
  ['services.*.secrets.*', fill((secret) => ({ target: `/run/secrets/${String(secret.source)}` }))],
  ['services.*.ports.*', fill(() => ({ protocol: 'tcp', mode: 'ingress' }))],
  ['services.*.deploy.resources.reservations.devices.*', deviceCount],
  ['services.*.gpus.*', deviceCount],
  ['services.*.volumes.*.bind', fill(() => ({ create_host_path: true }))],
]);
