// HTTP plumbing: reading bodies (with a size limit), writing JSON, errors as {"message": ...} with the status their
// kind maps to, and stream helpers. No engine rules here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, invalid, statusOf } from '../errors.js';

/** JSON request bodies above this are refused (image and archive uploads are streamed, not read here). */
export const MAX_JSON_BODY = 8 * 1024 * 1024;

export async function readJson<T>(request: IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new EngineError('invalid', `request body larger than ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw invalid(`invalid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}

export function sendError(response: ServerResponse, error: unknown): void {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, status, { message });
}

export function queryBoolean(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function queryInteger(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw invalid(`invalid ${name}: ${value}`);
  return parsed;
}

/** `filters={"label":["a=b"]}` (or the older `{"label":{"a=b":true}}`) -> name -> values. */
export function queryFilters(query: URLSearchParams): Map<string, string[]> {
  const raw = query.get('filters');
  const filters = new Map<string, string[]>();
  if (!raw) return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filters: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(`invalid filters: ${raw}`);
  for (const [name, values] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(values)) filters.set(name, values.map(String));
    else if (typeof values === 'object' && values !== null) filters.set(name, Object.keys(values));
    else throw invalid(`invalid filter ${name}`);
  }
  return filters;
}
