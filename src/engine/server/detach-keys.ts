// Detach keys on the engine's side: the wire form and the scanner are shared with the CLI (src/engine-api); a key
// the engine cannot read is a 400, as dockerd answers.
import { detachKeyBytes } from '../../engine-api/detach-keys.js';
import { invalid } from '../errors.js';

export { DEFAULT_DETACH_KEYS, detachScanner } from '../../engine-api/detach-keys.js';

/** `ctrl-p,ctrl-q`, `a,b`, `ctrl-@`, `ctrl-[`: the bytes, or a 400 for anything else. */
export function parseDetachKeys(keys: string): Buffer {
  const bytes = detachKeyBytes(keys);
  if (!bytes) throw invalid(`Invalid detach keys (${keys}) provided`);
  return bytes;
}
