import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Project, ServiceConfig } from '../model/types.js';
import { boundPath, watchRules } from './rules.js';

function workspace(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  return dir;
}

const project = (services: Record<string, Partial<ServiceConfig>>): Project =>
  ({ name: 'demo', services: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, { name, ...service }])) }) as unknown as Project;

const watching = (...entries: object[]) => ({ develop: { watch: entries } });

test('each develop.watch entry becomes a rule: sync targets, initial_sync, an exec hook in exec form', (t) => {
  const dir = workspace(t);
  const src = join(dir, 'src');
  const rules = watchRules(
    project({
      app: watching(
        { path: src, action: 'sync', target: '/srv', initial_sync: true },
        { path: src, action: 'sync+exec', target: '/srv', exec: { command: 'make reload', environment: { MODE: 'dev' }, user: 'app', working_dir: '/srv' } },
      ),
      web: watching({ path: src, action: 'restart' }),
      db: {},
    }),
    [],
  );
  assert.deepEqual(
    rules.map(({ service, action, target, initialSync }) => ({ service, action, target, initialSync })),
    [
      { service: 'app', action: 'sync', target: '/srv', initialSync: true },
      { service: 'app', action: 'sync+exec', target: '/srv', initialSync: false },
      { service: 'web', action: 'restart', target: undefined, initialSync: false },
    ],
  );
  assert.deepEqual(rules[1]!.exec, { command: ['/bin/sh', '-c', 'make reload'], user: 'app', workingDir: '/srv', env: ['MODE=dev'] });
});

test('a rule that cannot work is refused before anything is watched, naming the entry', (t) => {
  const dir = workspace(t);
  const src = join(dir, 'src');
  const refused = (entry: object, service: Partial<ServiceConfig> = {}) => () => watchRules(project({ app: { ...service, ...watching(entry) } }), ['app']);
  assert.throws(refused({ path: src, action: 'copy' }), /services\.app\.develop\.watch\[0\]\.action: unknown action "copy"/);
  assert.throws(refused({ path: join(dir, 'missing'), action: 'restart' }), /missing does not exist/);
  assert.throws(refused({ path: src, action: 'rebuild' }), /service "app" has no build section/);
  assert.throws(refused({ path: src, action: 'sync' }), /target is required for the sync action/);
  assert.throws(refused({ path: src, action: 'sync+exec', target: '/srv' }), /exec\.command is required/);
  assert.throws(() => watchRules(project({ app: {} }), []), /none of the selected services is configured for watch/);
  assert.throws(() => watchRules(project({ app: {} }), ['nope']), /no such service: nope/);
});

test('ignored: editor and VCS files, the rule\'s ignore, what include leaves out, the context\'s .dockerignore, anything outside the path', (t) => {
  const dir = workspace(t);
  const src = join(dir, 'src');
  writeFileSync(join(src, '.dockerignore'), '*.log\n');
  const [sync, included] = watchRules(
    project({
      app: { build: { context: src }, ...watching({ path: src, action: 'sync', target: '/srv', ignore: ['tmp/'] }) },
      web: watching({ path: src, action: 'sync', target: '/srv', include: ['*.js'] }),
    }),
    [],
  );
  for (const path of ['.git/HEAD', 'notes.txt~', '.main.js.swp', '4913', 'tmp/cache', 'debug.log']) assert.equal(sync!.ignores(join(src, path)), true, path);
  for (const path of ['main.js', 'lib/util.js', 'logs']) assert.equal(sync!.ignores(join(src, path)), false, path);
  assert.equal(sync!.ignores(join(dir, 'elsewhere.js')), true);
  assert.equal(included!.ignores(join(src, 'main.js')), false);
  assert.equal(included!.ignores(join(src, 'README.md')), true);
});

test('a sync over a path the service already bind-mounts is found, so that it can be skipped', () => {
  const service = { name: 'app', volumes: [{ type: 'bind', source: '/work/app', target: '/srv' }] } as unknown as ServiceConfig;
  assert.equal(boundPath(service, '/work/app/src'), '/work/app');
  assert.equal(boundPath(service, '/work/other'), undefined);
});
