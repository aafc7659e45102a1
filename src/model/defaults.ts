// Defaults compose fills in once the files are merged: a build context, secret targets, port protocol and mode,
// device counts and the create-host-path flag of binds.
import { isDict, patternTrie, rewriteAt } from './tree.js';
import type { Dict } from './tree.js';

type Filler = (value: Dict) => void;

export function setDefaultValues(tree: Dict): Dict {
  return rewriteAt(tree, DEFAULTS, (filler, value, _path, descend) => {
    const out = descend(value);
    if (isDict(out)) filler(out);
    return out;
  }) as Dict;
}

const fill =
  (defaults: (value: Dict) => Dict): Filler =>
  (value) => {
    for (const [key, item] of Object.entries(defaults(value))) if (!(key in value)) value[key] = item;
  };

const deviceCount: Filler = (value) => {
  if (!('count' in value) && !('device_ids' in value)) value.count = 'all';
};

const DEFAULTS = patternTrie<Filler>([
  ['services.*.build', fill(() => ({ context: '.' }))],
  ['services.*.secrets.*', fill((secret) => ({ target: `/run/secrets/${String(secret.source)}` }))],
  ['services.*.ports.*', fill(() => ({ protocol: 'tcp', mode: 'ingress' }))],
  ['services.*.deploy.resources.reservations.devices.*', deviceCount],
  ['services.*.gpus.*', deviceCount],
  ['services.*.volumes.*.bind', fill(() => ({ create_host_path: true }))],
]);
