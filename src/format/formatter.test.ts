import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../engine-client/index.js';
import { containerContext, DEFAULT_PS_TABLE, PS_HEADER } from './container.js';
import { headerContext, parseListFormat, renderList } from './formatter.js';
import { tabwrite } from './tabwriter.js';
import { GoStruct } from './template/index.js';
import { humanDuration, humanSize } from './units.js';

const summary = (name: string, extra: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: 'c37ed122c7ae0123456789abcdef0123456789abcdef0123456789abcdef0123',
  name,
  image: 'busybox',
  imageId: 'sha256:1',
  command: "sh -c 'trap exit TERM; sleep 100'",
  created: 1_000,
  state: 'running',
  status: 'Up 2 minutes (healthy)',
  labels: { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'web', tier: 'front' },
  mounts: [],
  networks: { demo_default: 'n1' },
  ports: [{ ip: '0.0.0.0', privatePort: 80, publicPort: 8080, type: 'tcp' }, { privatePort: 443, type: 'tcp' }],
  ...extra,
});

const context = (name: string, extra: Partial<ContainerSummary> = {}) => containerContext(summary(name, extra), { project: 'demo', trunc: true, now: 1_000_000 + 125_000 });

test("tabwriter: Go's column blocks, minimum width, the last cell unpadded", () => {
  const options = { minWidth: 10, padding: 3 };
  assert.equal(tabwrite('A\tB\tC\nlonger-than-ten\tb\tc\n', options), 'A                 B         C\nlonger-than-ten   b         c\n');
  // A line without tabs ends the columns above it.
  assert.equal(tabwrite('a\tb\nplain\nxxxxxxxxxxxx\ty\n', options), 'a         b\nplain\nxxxxxxxxxxxx   y\n');
});

test('ps --format table: the default columns, with a header', () => {
  const out = renderList(parseListFormat('table', DEFAULT_PS_TABLE), [context('demo-web-1')], PS_HEADER);
  const [header, row] = out.split('\n');
  assert.match(header!, /^NAME {9}IMAGE {5}COMMAND {18}SERVICE {3}CREATED {9}STATUS {19}PORTS$/);
  assert.match(row!, /^demo-web-1 {3}busybox {3}"sh -c 'trap exit TE…" {3}web {7}2 minutes ago {3}Up 2 minutes \(healthy\) {3}0\.0\.0\.0:8080->80\/tcp, 443\/tcp$/);
});

test('ps --format "table ...": the columns asked for, titled as compose titles them', () => {
  const format = parseListFormat('table {{.Service}}\\t{{.State}}\\t{{.Health}}\\t{{.Label "com.docker.compose.project"}}', DEFAULT_PS_TABLE);
  assert.equal(renderList(format, [context('demo-web-1')], PS_HEADER), 'SERVICE   STATE     HEALTH    project\nweb       running   healthy   demo\n');
  assert.equal(renderList(format, [], PS_HEADER), 'SERVICE   STATE     HEALTH    project\n');
});

test('ps --format json and templates: one line per container', () => {
  const json = JSON.parse(renderList(parseListFormat('json', DEFAULT_PS_TABLE), [context('demo-web-1')], PS_HEADER).trim());
  assert.deepEqual(Object.keys(json), [...Object.keys(json)].sort(), 'keys sorted as Go marshals a map');
  assert.equal(json.ID, 'c37ed122c7ae');
  assert.equal(json.Health, 'healthy');
  assert.deepEqual(json.Publishers, [{ URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' }, { URL: '', TargetPort: 443, PublishedPort: 0, Protocol: 'tcp' }]);
  assert.equal(json.Command, '"sh -c \'trap exit TE…"');
  const named = renderList(parseListFormat('{{.Name}} {{range .Publishers}}{{.PublishedPort}}{{end}}', ''), [context('a'), context('b')], PS_HEADER);
  assert.equal(named, 'a 80800\nb 80800\n');
});

test('a bad template is a BerthError with docker\'s words', () => {
  assert.throws(() => parseListFormat('{{.Name', ''), /^BerthError: failed to parse template: template: :1: unclosed action$/);
  assert.throws(() => renderList(parseListFormat('{{.Nope}}', ''), [context('a')], PS_HEADER), /failed to execute template: template: :1:2: executing "" at <\.Nope>: can't evaluate field Nope in type \*formatter\.ContainerContext/);
});

test('a header that cannot be made is left as far as it got', () => {
  const format = parseListFormat('table {{.A}}\\t{{lt .N 1}}', '');
  assert.equal(renderList(format, [new GoStruct('T', { A: 'xy', N: 0 })], headerContext({ A: 'AAA' })), 'AAA       \nxy        true\n');
});

test('units: durations and sizes as docker words them', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(45_000), '45 seconds');
  assert.equal(humanDuration(90_000), 'About a minute');
  assert.equal(humanDuration(3 * 3_600_000), '3 hours');
  assert.equal(humanDuration(3 * 86_400_000), '3 days');
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(1_234_567), '1.235MB');
  assert.equal(humanSize(4_400_000), '4.4MB');
});
