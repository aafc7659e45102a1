import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseComposeText } from './parse.js';
import { enforceUnicity, mergeDocuments } from './merge.js';
import type { Dict } from './tree.js';

/** Merges YAML texts in order, as the loader does with `-f a -f b`. */
function merge(...texts: string[]): Dict {
  let tree: Dict = {};
  for (const text of texts) for (const doc of parseComposeText('c.yaml', text)) tree = enforceUnicity(mergeDocuments(tree, doc));
  return tree;
}
const web = (tree: Dict): Dict => (tree.services as Dict).web as Dict;

test('maps merge key by key and scalars are replaced', () => {
  const tree = merge('services:\n  web:\n    image: a\n    tty: true\n', 'services:\n  web:\n    image: b\n  db:\n    image: c\n');
  assert.deepEqual(tree.services, { web: { image: 'b', tty: true }, db: { image: 'c' } });
});

test('command, entrypoint and healthcheck.test are replaced, not appended', () => {
  const tree = merge(
    'services:\n  web:\n    command: [a, b]\n    entrypoint: [x]\n    healthcheck: {test: [CMD, a], retries: 3}\n',
    'services:\n  web:\n    command: [c]\n    entrypoint: [y]\n    healthcheck: {test: [CMD, b]}\n',
  );
  assert.deepEqual(web(tree), { command: ['c'], entrypoint: ['y'], healthcheck: { test: ['CMD', 'b'], retries: 3 } });
});

test('environment and labels merge by key whether written as lists or maps; the later value wins', () => {
  const tree = merge(
    'services:\n  web:\n    environment: [A=1, B=2]\n    labels: {x: "1"}\n',
    'services:\n  web:\n    environment: {B: 3, C: null}\n    labels: [x=2, y=3]\n',
  );
  assert.deepEqual(web(tree).environment, ['A=1', 'B=3', 'C']);
  assert.deepEqual(web(tree).labels, ['x=2', 'y=3']);
});

test('ports merge by host ip, published port, target and protocol; volumes by target', () => {
  const tree = merge(
    'services:\n  web:\n    ports: ["80:80", {target: 443, published: "8443"}]\n    volumes: ["./a:/data", "/cache"]\n',
    'services:\n  web:\n    ports: ["80:80", "81:81", {target: 443, published: "8443", protocol: tcp}]\n    volumes: [{type: bind, source: ./b, target: /data}]\n',
  );
  assert.deepEqual(web(tree).ports, ['80:80', { target: 443, published: '8443', protocol: 'tcp' }, '81:81']);
  assert.deepEqual(web(tree).volumes, [{ type: 'bind', source: './b', target: '/data' }, '/cache']);
});

test('depends_on and networks merge as maps even when one side is a list', () => {
  const tree = merge(
    'services:\n  web:\n    depends_on: [db]\n    networks: [front]\n',
    'services:\n  web:\n    depends_on: {cache: {condition: service_healthy}}\n    networks: {back: {aliases: [w]}}\n',
  );
  assert.deepEqual(web(tree).depends_on, {
    db: { condition: 'service_started', required: true },
    cache: { condition: 'service_healthy' },
  });
  assert.deepEqual(web(tree).networks, { front: null, back: { aliases: ['w'] } });
});

test('build given as a string merges with a build given as a mapping', () => {
  const tree = merge('services:\n  web:\n    build: ./app\n', 'services:\n  web:\n    build: {target: dev, args: [A=1]}\n');
  assert.deepEqual(web(tree).build, { context: './app', target: 'dev', args: ['A=1'] });
});

test('other lists (dns, cap_add) append without duplicates; extra_hosts keep the first of equal entries', () => {
  const tree = merge(
    'services:\n  web:\n    cap_add: [NET_ADMIN]\n    dns: 1.1.1.1\n    extra_hosts: ["a=1.2.3.4"]\n',
    'services:\n  web:\n    cap_add: [NET_ADMIN, SYS_TIME]\n    dns: [8.8.8.8]\n    extra_hosts: ["a=1.2.3.4", "b=5.6.7.8"]\n',
  );
  assert.deepEqual(web(tree).cap_add, ['NET_ADMIN', 'SYS_TIME']);
  assert.deepEqual(web(tree).dns, ['1.1.1.1', '8.8.8.8']);
  assert.deepEqual(web(tree).extra_hosts, ['a=1.2.3.4', 'b=5.6.7.8']);
});

test('a logging block for another driver replaces the old one; the same driver merges options', () => {
  const base = 'services:\n  web:\n    logging: {driver: syslog, options: {a: "1"}}\n';
  assert.deepEqual(web(merge(base, 'services:\n  web:\n    logging: {driver: json-file}\n')).logging, { driver: 'json-file' });
  assert.deepEqual(web(merge(base, 'services:\n  web:\n    logging: {options: {b: "2"}}\n')).logging, {
    driver: 'syslog',
    options: { a: '1', b: '2' },
  });
});

test('!reset removes a value from what came before; !override replaces instead of merging', () => {
  const tree = merge(
    'services:\n  web:\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n    image: x\n',
    'services:\n  web:\n    ports: !reset []\n    environment: !override\n      C: "3"\n',
  );
  assert.deepEqual(web(tree), { environment: { C: '3' }, image: 'x' });
});

test('a mapping replaced by a scalar is an error naming the path', () => {
  assert.throws(() => merge('services:\n  web:\n    deploy: {replicas: 2}\n', 'services:\n  web:\n    deploy: 3\n'), /cannot override services\.web\.deploy/);
});

test('the inputs are not changed', () => {
  const [base] = parseComposeText('a.yaml', 'services:\n  web:\n    environment: [A=1]\n');
  const [over] = parseComposeText('b.yaml', 'services:\n  web:\n    environment: [A=2]\n');
  mergeDocuments(base!.tree, over!);
  assert.deepEqual(base!.tree, { services: { web: { environment: ['A=1'] } } });
});
