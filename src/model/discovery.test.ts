import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverFiles, envFileDirectory, isValidProjectName, normalizeProjectName } from './discovery.js';
import { DISK } from './files.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-discovery-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const noEnv = (): undefined => undefined;

test('compose.yaml is found in the working dir, with its override on top', (t) => {
  const root = tree({ 'compose.yaml': '', 'compose.override.yaml': '' });
  t.after(() => rmSync(root, { recursive: true }));
  const found = discoverFiles({ cwd: root, files: [], projectDirectory: undefined, lookupEnv: noEnv, warn: () => {}, disk: DISK });
  assert.deepEqual(found.files, [join(root, 'compose.yaml'), join(root, 'compose.override.yaml')]);
  assert.equal(found.workingDir, root);
});

test('a file in a parent directory is found, and that directory is the working dir', (t) => {
  const root = tree({ 'docker-compose.yml': '', 'sub/deeper/.keep': '' });
  t.after(() => rmSync(root, { recursive: true }));
  const found = discoverFiles({ cwd: join(root, 'sub/deeper'), files: [], projectDirectory: undefined, lookupEnv: noEnv, warn: () => {}, disk: DISK });
  assert.deepEqual(found.files, [join(root, 'docker-compose.yml')]);
  assert.equal(found.workingDir, root);
});

test('two candidate names: the first by preference wins, with a warning', (t) => {
  const root = tree({ 'compose.yaml': '', 'docker-compose.yml': '' });
  t.after(() => rmSync(root, { recursive: true }));
  const warnings: string[] = [];
  const found = discoverFiles({ cwd: root, files: [], projectDirectory: undefined, lookupEnv: noEnv, warn: (m) => warnings.push(m), disk: DISK });
  assert.deepEqual(found.files, [join(root, 'compose.yaml')]);
  assert.match(warnings[0] ?? '', /Found multiple config files/);
});

test('-f files are taken in order, relative to the cwd; COMPOSE_FILE is used when there is no -f', (t) => {
  const root = tree({ 'a.yml': '', 'b/c.yml': '' });
  t.after(() => rmSync(root, { recursive: true }));
  const explicit = discoverFiles({ cwd: root, files: ['b/c.yml', 'a.yml'], projectDirectory: undefined, lookupEnv: noEnv, warn: () => {}, disk: DISK });
  assert.deepEqual(explicit.files, [join(root, 'b/c.yml'), join(root, 'a.yml')]);
  assert.equal(explicit.workingDir, join(root, 'b'));
  const env: Record<string, string> = { COMPOSE_FILE: 'a.yml;b/c.yml', COMPOSE_PATH_SEPARATOR: ';' };
  const fromEnv = discoverFiles({ cwd: root, files: [], projectDirectory: undefined, lookupEnv: (n) => env[n], warn: () => {}, disk: DISK });
  assert.deepEqual(fromEnv.files, [join(root, 'a.yml'), join(root, 'b/c.yml')]);
});

test('--project-directory sets the working dir and where .env is read', (t) => {
  const root = tree({ 'a.yml': '', 'proj/.keep': '' });
  t.after(() => rmSync(root, { recursive: true }));
  const found = discoverFiles({ cwd: root, files: ['a.yml'], projectDirectory: 'proj', lookupEnv: noEnv, warn: () => {}, disk: DISK });
  assert.equal(found.workingDir, join(root, 'proj'));
  assert.equal(envFileDirectory({ cwd: root, files: ['a.yml'], projectDirectory: 'proj' }), join(root, 'proj'));
});

test('no file anywhere, or a missing -f file, is a not-found error', (t) => {
  const root = tree({ '.keep': '' });
  t.after(() => rmSync(root, { recursive: true }));
  assert.throws(() => discoverFiles({ cwd: root, files: ['nope.yml'], projectDirectory: undefined, lookupEnv: noEnv, warn: () => {}, disk: DISK }), /no such file/);
});

test('project names are normalised to [a-z0-9_-] without leading _ or -', () => {
  assert.equal(normalizeProjectName('-My.Project_1'), 'myproject_1');
  assert.equal(isValidProjectName('my-app'), true);
  assert.equal(isValidProjectName('My-App'), false);
  assert.equal(isValidProjectName(''), false);
});
