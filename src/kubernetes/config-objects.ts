// configs -> ConfigMaps, secrets -> Secrets, env_file -> ConfigMaps read through envFrom. Each object is written
// once, the first time a service uses it; each service mounts the key at its target with subPath.
import { basename } from 'node:path';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import type { ConvertContext } from './context.js';
import type { Volume, VolumeMount } from './manifest.js';
import { projectLabels, standardLabels } from './manifest.js';

type Kind = 'config' | 'secret';

// ConfigMap and Secret values are limited to 1 MiB by the API server (etcd's object size).
const MAX_OBJECT_BYTES = 1024 * 1024;

export interface FileMounts {
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
}

/** The service's `configs:` and `secrets:` as pod volumes mounting one key each at its target. */
export function configAndSecretMounts(service: ServiceConfig, ctx: ConvertContext): FileMounts {
  const out: FileMounts = { volumes: [], mounts: [] };
  for (const kind of ['config', 'secret'] as const) {
    const entries = service[kind === 'config' ? 'configs' : 'secrets'];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (!isDict(entry) || typeof entry.source !== 'string') continue;
      mountOne(kind, entry, service, ctx, out);
    }
  }
  return out;
}

function mountOne(kind: Kind, entry: Dict, service: ServiceConfig, ctx: ConvertContext, out: FileMounts): void {
  const source = entry.source as string;
  const definitions = kind === 'config' ? ctx.project.configs : ctx.project.secrets;
  const definition = Object.hasOwn(definitions, source) ? definitions[source]! : undefined;
  if (definition === undefined) return;
  const objectName = ensureObject(kind, source, definition, ctx);
  if (objectName === undefined) return;
  for (const key of ['uid', 'gid'] as const) {
    if (entry[key] !== undefined) ctx.warn('service', service.name, `${kind}s.${source}.${key} is not converted (use the pod's fsGroup)`);
  }
  const target = typeof entry.target === 'string' ? entry.target : kind === 'secret' ? `/run/secrets/${source}` : `/${source}`;
  const mode = modeOf(entry.mode);
  const volumeName = `${kind}-${objectName}`.slice(0, 63).replace(/-+$/, '');
  const key = dataKey(source);
  // Docker's default for both is 0444.
  const items = [{ key, path: key, mode: mode ?? 0o444 }];
  if (!out.volumes.some((volume) => volume.name === volumeName)) {
    out.volumes.push(kind === 'config' ? { name: volumeName, configMap: { name: objectName, items } } : { name: volumeName, secret: { secretName: objectName, items } });
  }
  out.mounts.push({ name: volumeName, mountPath: target.startsWith('/') ? target : `/${target}`, subPath: key, readOnly: true });
}

/** The name of the ConfigMap or Secret holding a config or secret, written the first time; undefined when it cannot be. */
function ensureObject(kind: Kind, source: string, definition: Dict, ctx: ConvertContext): string | undefined {
  const key = `${kind}:${source}`;
  if (ctx.written.has(key)) return ctx.written.get(key);
  const name = objectFor(kind, source, definition, ctx);
  ctx.written.set(key, name);
  return name;
}

function objectFor(kind: Kind, source: string, definition: Dict, ctx: ConvertContext): string | undefined {
  const table = kind === 'config' ? ctx.configMaps : ctx.secrets;
  if (definition.external === true) {
    const name = table.name(typeof definition.name === 'string' ? definition.name : source);
    ctx.warn(kind, source, `external: the ${kind === 'config' ? 'ConfigMap' : 'Secret'} "${name}" must exist in the namespace (key "${dataKey(source)}")`);
    return name;
  }
  const bytes = contentOf(kind, source, definition, ctx);
  if (bytes === undefined) return undefined;
  if (bytes.length > MAX_OBJECT_BYTES) {
    ctx.warn(kind, source, `the content is ${bytes.length} bytes, over Kubernetes' 1 MiB limit: not converted`);
    return undefined;
  }
  if (definition.template_driver !== undefined) ctx.warn(kind, source, 'template_driver is not converted (the content is written as it is)');
  const name = table.name(source);
  const key = dataKey(source);
  const metadata = { name, labels: projectLabels(ctx.project.name, name) };
  if (kind === 'secret') {
    ctx.add({ apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: { [key]: bytes.toString('base64') } });
  } else {
    const text = bytes.toString('utf8');
    const isText = Buffer.from(text, 'utf8').equals(bytes);
    ctx.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata, ...(isText ? { data: { [key]: text } } : { binaryData: { [key]: bytes.toString('base64') } }) });
  }
  return name;
}

function contentOf(kind: Kind, source: string, definition: Dict, ctx: ConvertContext): Buffer | undefined {
  if (typeof definition.file === 'string') {
    try {
      return ctx.inputs.readFile(definition.file);
    } catch (cause) {
      ctx.warn(kind, source, `the file ${definition.file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}): not converted`);
      return undefined;
    }
  }
  if (typeof definition.content === 'string') return Buffer.from(definition.content, 'utf8');
  if (typeof definition.environment === 'string') {
    const value = ctx.project.environment[definition.environment];
    if (value === undefined) {
      ctx.warn(kind, source, `reads the variable ${definition.environment}, which is not set: not converted`);
      return undefined;
    }
    return Buffer.from(value, 'utf8');
  }
  ctx.warn(kind, source, 'has no file, content or environment: not converted');
  return undefined;
}

/** A ConfigMap/Secret key: [-._a-zA-Z0-9]+. */
function dataKey(name: string): string {
  const key = name.replace(/[^-._a-zA-Z0-9]/g, '_');
  return key === '.' || key === '..' ? `_${key}` : key;
}

function modeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-7]+$/.test(value)) return Number.parseInt(value, 8);
  return undefined;
}

export interface EnvFromFiles {
  /** ConfigMaps to read with envFrom, in file order (later files win, as in compose). */
  readonly configMaps: string[];
  /** The service's variables that still need an `env` entry: its own, and any that override a file's value. */
  readonly environment: Record<string, string>;
}

/** env_file -> one ConfigMap per file; the variables the files give are left out of `env`. */
export function envFromFiles(service: ServiceConfig, ctx: ConvertContext): EnvFromFiles {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.environment ?? {})) if (typeof value === 'string') environment[key] = value;
  const files = Array.isArray(service.env_file) ? service.env_file.filter(isDict) : [];
  const configMaps: string[] = [];
  const fromFiles = new Map<string, string>();
  for (const file of files) {
    const path = String(file.path);
    const values = ctx.inputs.readEnvFile(path, typeof file.format === 'string' ? file.format : undefined, file.required !== false);
    if (values === undefined) continue;
    const data: Record<string, string> = {};
    for (const [key, value] of values) {
      // A name ConfigMaps cannot hold stays a plain env entry.
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) continue;
      data[key] = value;
      fromFiles.set(key, value);
    }
    const name = ctx.configMaps.derived(service.name, basename(path));
    ctx.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: standardLabels(ctx.project.name, ctx.services.name(service.name)) }, data });
    configMaps.push(name);
  }
  for (const [key, value] of fromFiles) if (environment[key] === value) delete environment[key];
  return { configMaps, environment };
}
