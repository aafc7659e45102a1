// Container names: which names are valid, the conflict answer dockerd gives, and the name a container gets when
// the create request has none.
import { randomBytes } from 'node:crypto';
import { conflict, invalid } from '../../errors.js';
import type { EngineError } from '../../errors.js';

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The requested name without its leading slash; a 400 when it has characters dockerd refuses. */
export function validName(requested: string): string {
  const name = requested.replace(/^\//, '');
  if (!NAME.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name;
}

/** dockerd's 409 for a name another container holds. */
export function nameInUse(name: string, holderId: string): EngineError {
  return conflict(`Conflict. The container name "/${name}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`);
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'swift'];
const NOUNS = ['anchor', 'buoy', 'cove', 'dock', 'harbor', 'jetty', 'keel', 'mast', 'pier', 'quay', 'tide', 'wharf'];

/** `adjective_noun_hhhh`, as dockerd's generated names look; `random` gives the bytes (injected for tests). */
export function generatedName(random: (size: number) => Uint8Array = randomBytes): string {
  const [adjective = 0, noun = 0, ...suffix] = random(4);
  const hex = suffix.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${ADJECTIVES[adjective % ADJECTIVES.length]!}_${NOUNS[noun % NOUNS.length]!}_${hex}`;
}
