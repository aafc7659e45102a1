// One route table: method + path pattern -> handler. Every route answers both unversioned and as /v1.NN/...
// A route may declare its JSON body and its query parameters (descriptors from src/engine-api/): the server reads
// and checks them before the handler runs, so a handler only ever sees values of the described types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Descriptor } from '../../engine-api/describe.js';
import type { QueryOf, QueryParameter } from '../../engine-api/query.js';
import { EngineError } from '../errors.js';
import type { FieldTable } from '../services/fields/rules.js';

export interface RequestContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  /** The raw query; described parameters are in `q`, checked. */
  readonly query: URLSearchParams;
  /** The API version the client asked for in the path, or the engine's own. */
  readonly apiVersion: string;
}

export type QueryShape = Readonly<Record<string, QueryParameter<unknown>>>;

/** A JSON request body: its description, the largest accepted, and what an empty body means. */
export interface BodySpec<T> {
  readonly description: Descriptor<T>;
  /** Bytes; larger bodies are refused with a 413 before they are parsed. */
  readonly limit?: number;
  /** An empty body is refused with this message; without it, an empty body reads as `{}`. */
  readonly emptyMessage?: string;
  /**
   * A header the body may come in instead, as base64url JSON (a push's `X-Registry-Auth`; older clients send the
   * credentials as the body). When the header is there and not empty, the request's own body is not read.
   */
  readonly header?: string;
}

export interface RouteSpec<B, Q extends QueryShape> {
  readonly body?: BodySpec<B>;
  readonly query?: Q;
  /** The engine's field table for the body (or, for a route without one, the query): what it cannot honour is refused. */
  readonly fields?: FieldTable;
}

export type Handler<B = unknown, Q extends QueryShape = QueryShape> = (context: RequestContext & { readonly body: B; readonly q: QueryOf<Q> }) => Promise<void> | void;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly spec: RouteSpec<unknown, QueryShape>;
  readonly handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /**
   * `/containers/{id}/json`: `{name}` matches one path segment; `{name*}` the rest of the path. With a spec, the
   * body and query are checked against it before `handler` runs; without one, the handler reads the raw request
   * (streamed uploads: image loads, build contexts, archives).
   */
  add(method: string, path: string, handler: Handler): this;
  add<B, Q extends QueryShape = Record<never, never>>(method: string, path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): this;
  add(method: string, path: string, specOrHandler: RouteSpec<unknown, QueryShape> | Handler, maybeHandler?: Handler): this {
    const [spec, handler] = typeof specOrHandler === 'function' ? [{}, specOrHandler] : [specOrHandler, maybeHandler!];
    const names: string[] = [];
    const source = path.replace(/\{(\w+)(\*?)\}/g, (_, name: string, rest: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, spec, handler: handler as Handler });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } {
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
        if (params[name]!.includes('\0')) throw new EngineError('invalid', `invalid path: ${path}`);
      }
      return { route, params };
    }
    throw new EngineError(pathFound ? 'invalid' : 'not-found', pathFound ? `method ${method} not allowed on ${path}` : `page not found`);
  }

  /** Every route, for tests that walk them all. */
  list(): ReadonlyArray<Pick<Route, 'method' | 'pattern' | 'names' | 'spec'> & { readonly path: string }> {
    return this.routes.map((route) => ({ ...route, path: route.pattern.source }));
  }
}

/** `/v1.44/containers/json` -> [`1.44`, `/containers/json`]. */
export function splitVersion(path: string): [string | undefined, string] {
  const found = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  return found ? [found[1], found[2]!] : [undefined, path];
}

/**
 * The request target split into path and query without ever throwing (`GET //` included). `redirect` is set when
 * the path is not clean (`//`, `.` or `..` segments): dockerd's router answers those with a 301 to the clean path.
 */
export function parseTarget(target: string): { path: string; query: URLSearchParams; redirect?: string } {
  let raw = target;
  // The absolute form (`GET http://host/path`) names the path after the authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(raw);
  if (absolute) raw = raw.slice(absolute[0].length) || '/';
  const hash = raw.indexOf('#');
  if (hash >= 0) raw = raw.slice(0, hash);
  const mark = raw.indexOf('?');
  const path = mark >= 0 ? raw.slice(0, mark) : raw;
  const search = mark >= 0 ? raw.slice(mark + 1) : '';
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(search);
  } catch {
    query = new URLSearchParams();
  }
  const clean = cleanPath(path);
  return clean === path ? { path, query } : { path: clean, query, redirect: clean + (search ? `?${search}` : '') };
}

/** Go's `path.Clean`, keeping a trailing slash (as gorilla/mux's cleanPath does). */
export function cleanPath(path: string): string {
  if (path === '') return '/';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const cleaned = `/${parts.join('/')}`;
  return path.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}
