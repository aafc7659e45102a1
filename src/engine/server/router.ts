// One route table: method + path pattern -> handler. Every route answers both unversioned and as /v1.NN/...
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError } from '../errors.js';

export interface RequestContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The API version the client asked for in the path, or the engine's own. */
  readonly apiVersion: string;
}

export type Handler = (context: RequestContext) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `/containers/{id}/json`: `{name}` matches one path segment; `{name*}` the rest of the path. */
  add(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/\{(\w+)(\*?)\}/g, (_, name: string, rest: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    let pathFound = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathFound = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      for (const [index, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(found[index + 1]!);
        } catch {
          throw new EngineError('invalid', `invalid path: ${path}`);
        }
      }
      return { handler: route.handler, params };
    }
    throw new EngineError(pathFound ? 'invalid' : 'not-found', pathFound ? `method ${method} not allowed on ${path}` : `page not found`);
  }
}

/** `/v1.44/containers/json` -> [`1.44`, `/containers/json`]. */
export function splitVersion(path: string): [string | undefined, string] {
  const found = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  return found ? [found[1], found[2]!] : [undefined, path];
}
