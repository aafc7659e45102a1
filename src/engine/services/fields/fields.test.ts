// The field tables and the wire descriptors against the reference swagger (schemas/engine-api-v1.56.yaml): every
// field the swagger defines for a create body has a rule in the engine's table and a descriptor of a matching type,
// so that no field can be dropped without a word and the checks at the door cannot drift from the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { BuildQuery, ContainerCreate, ExecCreate, NetworkConnect, NetworkCreate, VolumeCreate } from '../../../engine-api/index.js';
import * as imageQueries from '../../../engine-api/images.js';
import * as otherQueries from '../../../engine-api/system.js';
import type { Descriptor, WireKind } from '../../../engine-api/index.js';
import { containerFields } from './container-fields.js';
import { BUILD_QUERY_FIELDS, EXEC_CREATE_FIELDS, NETWORK_CONNECT_FIELDS, NETWORK_CREATE_FIELDS, VOLUME_CREATE_FIELDS } from './other-fields.js';
import { isZero, refuseUnhonoured, valuesAt } from './rules.js';
import type { FieldTable } from './rules.js';

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const swagger = parse(readFileSync(new URL('../../../../schemas/engine-api-v1.56.yaml', import.meta.url), 'utf8')) as Schema;

function resolve(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  while (current?.$ref) current = swagger.definitions[String(current.$ref).split('/').pop()!];
  if (current?.allOf) {
    const merged: Schema = { type: 'object', properties: {} };
    for (const part of current.allOf as Schema[]) {
      const resolved = resolve(part)!;
      if (resolved.properties) Object.assign(merged.properties, resolved.properties);
      else return { ...resolved, ...current, allOf: undefined };
    }
    return merged;
  }
  return current;
}

/** Every field under a schema: `HostConfig.Mounts[].Type` -> its swagger type. */
function swaggerFields(schema: Schema | undefined, prefix = ''): Map<string, string> {
  const fields = new Map<string, string>();
  const resolved = resolve(schema);
  if (!resolved) return fields;
  const walk = (inner: Schema | undefined, at: string): void => {
    const node = resolve(inner);
    if (!node) return;
    if (node.type === 'array') walk(node.items, `${at}[]`);
    else if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object' && !node.properties) walk(node.additionalProperties, `${at}.*`);
    else if (node.properties) {
      for (const [name, property] of Object.entries(node.properties as Record<string, Schema>)) {
        const path = at === '' ? name : `${at}.${name}`;
        const child = resolve(property)!;
        fields.set(path, child.type ?? (child.enum ? 'string' : 'object'));
        walk(child, path);
      }
    }
  };
  walk(resolved, prefix);
  return fields;
}

/** The descriptor at a field path; `undefined` when the path is not described, `'opaque'` below an any(). */
function descriptorAt(root: Descriptor<unknown>, path: string): Descriptor<unknown> | 'opaque' | undefined {
  let current: Descriptor<unknown> = root;
  for (const step of path.replace(/\[\]/g, '.[]').split('.')) {
    if (current.kind === 'any') return 'opaque';
    if (step === '[]' || step === '*') {
      if (!current.items) return undefined;
      current = current.items;
    } else {
      const next = current.fields?.[step];
      if (!next) return undefined;
      current = next;
    }
  }
  return current;
}

const COMPATIBLE: Record<string, readonly WireKind[]> = {
  string: ['string'],
  integer: ['integer'],
  number: ['number', 'integer'],
  boolean: ['boolean'],
  // Docker's StrSlice (Cmd, Entrypoint) takes a list or one string.
  array: ['list', 'string-or-list'],
  object: ['object', 'map', 'any'],
};

function checkAgainstSwagger(name: string, schema: Schema, description: Descriptor<unknown>, table: FieldTable): void {
  const fields = swaggerFields(schema);
  assert.ok(fields.size > 0, `${name}: no fields found in the swagger`);
  for (const [path, type] of fields) {
    const described = descriptorAt(description, path);
    assert.ok(described !== undefined, `${name}: ${path} (${type}) has no descriptor in src/engine-api/`);
    if (described !== 'opaque') assert.ok(COMPATIBLE[type]?.includes(described.kind), `${name}: ${path} is ${type} in the swagger but described as ${described.kind}`);
    const covered = path.split(/\.|(?=\[\])/).some((_, index, parts) => {
      const ancestor = parts.slice(0, index + 1).join('.').replace(/\.\[\]/g, '[]');
      return ancestor !== path && table[ancestor]?.kind === 'refused';
    });
    assert.ok(table[path] !== undefined || covered, `${name}: ${path} is in the swagger but not in the engine's field table`);
  }
  for (const path of Object.keys(table)) {
    assert.ok(fields.has(path) || descriptorAt(description, path) !== undefined, `${name}: the table names ${path}, which neither the swagger nor the descriptor has`);
  }
}

const operation = (path: string, method = 'post'): Schema => swagger.paths[path][method];
const bodyOf = (path: string): Schema => (operation(path).parameters as Schema[]).find((parameter) => parameter.in === 'body')!.schema;
const host = { cgroupVersion: 1 as const, blkioWeight: true, blkioThrottle: true, memorySwappiness: true, oomKillDisable: true, cpusetMems: true, apparmor: false };

test('every field of a container create body in the swagger has a descriptor and a rule in the engine\'s table', () => {
  checkAgainstSwagger('POST /containers/create', bodyOf('/containers/create'), ContainerCreate as Descriptor<unknown>, containerFields(host));
});

test('every field of network create and connect, volume create and exec create has a descriptor and a rule', () => {
  checkAgainstSwagger('POST /networks/create', bodyOf('/networks/create'), NetworkCreate as Descriptor<unknown>, NETWORK_CREATE_FIELDS);
  checkAgainstSwagger('POST /networks/{id}/connect', { $ref: '#/definitions/NetworkConnectRequest' }, NetworkConnect as Descriptor<unknown>, NETWORK_CONNECT_FIELDS);
  checkAgainstSwagger('POST /volumes/create', { $ref: '#/definitions/VolumeCreateRequest' }, VolumeCreate as Descriptor<unknown>, VOLUME_CREATE_FIELDS);
  checkAgainstSwagger('POST /containers/{id}/exec', bodyOf('/containers/{id}/exec'), ExecCreate as Descriptor<unknown>, EXEC_CREATE_FIELDS);
});

test('every query parameter of a classic build has a reader and a rule', () => {
  const parameters = (operation('/build').parameters as Schema[]).filter((parameter) => parameter.in === 'query');
  for (const parameter of parameters) {
    const reader = (BuildQuery as Record<string, { kind: string }>)[parameter.name];
    assert.ok(reader, `POST /build: the query parameter ${parameter.name} has no reader in src/engine-api/build.ts`);
    assert.ok(BUILD_QUERY_FIELDS[parameter.name], `POST /build: the query parameter ${parameter.name} is not in the engine's field table`);
    // JSON-encoded parameters are strings in the swagger.
    const expected = { string: ['string', 'json', 'strings'], integer: ['integer'], boolean: ['boolean'] }[parameter.type as string] ?? [];
    assert.ok(expected.includes(reader.kind), `POST /build: ${parameter.name} is ${parameter.type} in the swagger, read as ${reader.kind}`);
  }
  for (const name of Object.keys(BuildQuery)) assert.ok(BUILD_QUERY_FIELDS[name], `POST /build: ${name} is read but not in the field table`);
});

test('the query parameters the image, event, content and attach routes read are the swagger\'s, of its types', () => {
  const routes: Array<[string, string, Record<string, { kind: string }>]> = [
    ['post', '/images/create', imageQueries.ImageCreateQuery],
    ['post', '/images/load', imageQueries.ImageLoadQuery],
    ['get', '/images/json', imageQueries.ImageListQuery],
    ['post', '/images/{name}/push', imageQueries.ImagePushQuery],
    ['post', '/images/{name}/tag', imageQueries.ImageTagQuery],
    ['delete', '/images/{name}', imageQueries.ImageRemoveQuery],
    ['get', '/images/get', imageQueries.ImageSaveQuery],
    ['post', '/images/prune', imageQueries.ImagePruneQuery],
    ['post', '/commit', imageQueries.CommitQuery],
    ['get', '/containers/{id}/archive', otherQueries.ArchiveQuery],
    ['put', '/containers/{id}/archive', otherQueries.ArchivePutQuery],
    ['get', '/containers/{id}/top', otherQueries.TopQuery],
    ['get', '/containers/{id}/stats', otherQueries.StatsQuery],
    ['post', '/containers/{id}/attach', otherQueries.AttachQuery],
    ['get', '/events', otherQueries.EventsQuery],
  ];
  for (const [method, path, shape] of routes) {
    const parameters = new Map(((operation(path, method).parameters ?? []) as Schema[]).filter((parameter) => parameter.in === 'query').map((parameter) => [parameter.name as string, parameter]));
    for (const [name, reader] of Object.entries(shape)) {
      const parameter = parameters.get(name);
      assert.ok(parameter, `${method.toUpperCase()} ${path}: ${name} is read but the swagger has no such query parameter`);
      const type = parameter.type === 'array' ? 'array' : (parameter.type as string);
      const expected = { string: ['string', 'json', 'strings'], integer: ['integer'], boolean: ['boolean'], array: ['strings'] }[type] ?? [];
      // The swagger calls these strings; dockerd reads them with BoolValue, as the engine does.
      const boolValue = ['put /containers/{id}/archive noOverwriteDirNonDir', 'put /containers/{id}/archive copyUIDGID'].includes(`${method} ${path} ${name}`);
      if (boolValue) expected.push('boolean');
      assert.ok(expected.includes(reader.kind), `${method.toUpperCase()} ${path}: ${name} is ${type} in the swagger, read as ${reader.kind}`);
    }
  }
});

test('a refused field is refused only when it carries something, naming the field where it is', () => {
  const table = containerFields(host);
  assert.doesNotThrow(() => refuseUnhonoured(table, { HostConfig: { CpuCount: 0, ConsoleSize: [0, 0], DeviceRequests: [], StorageOpt: {} } }));
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { CpuRealtimeRuntime: 950000 } }), /^EngineError: HostConfig\.CpuRealtimeRuntime is not supported by berth's engine: real-time CPU scheduling/);
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { Mounts: [{ Type: 'bind' }, { Type: 'image' }] } }), /HostConfig\.Mounts\[1\]\.Type: mount type "image" is not supported/);
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { Runtime: 'kata' } }), /HostConfig\.Runtime: runtime "kata" is not supported/);
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { Isolation: 'hyperv' } }), /HostConfig\.Isolation: isolation "hyperv"/);
  assert.throws(() => refuseUnhonoured(table, { NetworkingConfig: { EndpointsConfig: { web: { IPAMConfig: { IPv6Address: 'fd00::2' } } } } }), /NetworkingConfig\.EndpointsConfig\.web\.IPAMConfig\.IPv6Address is not supported/);
});

test('settings the host cannot give are refused, naming the host\'s lack', () => {
  const table = containerFields({ ...host, blkioWeight: false, memorySwappiness: false, oomKillDisable: false, cgroupVersion: 2 });
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { BlkioWeight: 300 } }), /HostConfig\.BlkioWeight: this host's kernel does not support block I\/O weights/);
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { MemorySwappiness: 10 } }), /memory swappiness/);
  assert.doesNotThrow(() => refuseUnhonoured(table, { HostConfig: { MemorySwappiness: -1, OomKillDisable: false } }));
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { OomKillDisable: true } }), /cannot disable the OOM killer/);
  assert.throws(() => refuseUnhonoured(table, { HostConfig: { SecurityOpt: ['apparmor=docker-default'] } }), /HostConfig\.SecurityOpt: "apparmor=docker-default": this host has no AppArmor/);
});

test('values are found at their concrete paths, through lists and maps', () => {
  const body = { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1' }, {}] } } };
  assert.deepEqual(valuesAt(body, 'HostConfig.PortBindings.*[].HostIp'), [{ at: 'HostConfig.PortBindings.80/tcp[0].HostIp', value: '127.0.0.1' }]);
  assert.equal(isZero({ a: [0, ''], b: false }), true);
  assert.equal(isZero([0, 1]), false);
});
