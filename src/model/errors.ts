// One error type for everything berth reports to a user, tagged with a kind that the CLI maps to an exit code.
import type { TreePath } from './tree.js';
import { formatPath } from './tree.js';

export type ErrorKind = 'invalid' | 'not-found' | 'conflict' | 'canceled' | 'engine' | 'internal';

export interface SourcePosition {
  readonly file: string;
  readonly line?: number; // 1-based
  readonly column?: number; // 1-based
}

export interface BerthErrorDetails {
  readonly kind?: ErrorKind;
  readonly position?: SourcePosition;
  readonly path?: TreePath;
  readonly cause?: unknown;
}

export class BerthError extends Error {
  readonly kind: ErrorKind;
  readonly position: SourcePosition | undefined;
  readonly path: TreePath | undefined;

  constructor(message: string, details: BerthErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BerthError';
    this.kind = details.kind ?? 'invalid';
    this.position = details.position;
    this.path = details.path;
  }

  /** `compose.yaml:3:5: services.web.ports[0]: invalid port "x"` */
  describe(): string {
    const where: string[] = [];
    if (this.position) {
      let at = this.position.file;
      if (this.position.line !== undefined) at += `:${this.position.line}`;
      if (this.position.column !== undefined) at += `:${this.position.column}`;
      where.push(at);
    }
    if (this.path && this.path.length > 0 && !this.message.includes(formatPath(this.path))) where.push(formatPath(this.path));
    return [...where, this.message].join(': ');
  }
}

/** Runs a pass; an error it raises at a path is given the file, line and column that path was written at. */
export function withPositions<T>(pass: () => T, locate: (path: TreePath) => SourcePosition): T {
  try {
    return pass();
  } catch (error) {
    if (error instanceof BerthError && error.path && !error.position) {
      throw new BerthError(error.message, { kind: error.kind, path: error.path, position: locate(error.path) });
    }
    throw error;
  }
}

export function isBerthError(error: unknown): error is BerthError {
  return error instanceof BerthError;
}

/** A user's value in a message: JSON-quoted, and cut short when long (a hostile value can be megabytes). */
export function quote(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const shown = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return typeof value === 'string' ? JSON.stringify(shown) : shown;
}
