// The engine's errors: a kind, tagged once where the error is raised, mapped to an HTTP status in one place.
export type EngineErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'not-modified' | 'unsupported' | 'timeout' | 'too-large' | 'unavailable' | 'internal';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const invalid = (message: string): EngineError => new EngineError('invalid', message);
export const notFound = (message: string): EngineError => new EngineError('not-found', message);
export const conflict = (message: string): EngineError => new EngineError('conflict', message);
/** A request body asks for something this engine does not do yet: refused, never ignored. */
export const unsupported = (message: string): EngineError => new EngineError('unsupported', `${message} is not supported by berth's engine yet`);

const STATUS: Record<EngineErrorKind, number> = {
  invalid: 400,
  unsupported: 400,
  /** A registry refused the credentials (or asked for some). */
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  timeout: 408,
  'too-large': 413,
  /**
   * Something the engine depends on (a registry) is down or answered nonsense: not a fault of the engine's own,
   * but dockerd answers it with a 500 (it has no 502), and clients read it so.
   */
  unavailable: 500,
  internal: 500,
};

export function statusOf(error: unknown): number {
  return error instanceof EngineError ? STATUS[error.kind] : 500;
}
