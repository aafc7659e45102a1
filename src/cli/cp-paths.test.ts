import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerPath, followedLink, placeCopy, renamed, splitCpArgument, topName } from './cp-paths.js';

test('SERVICE:PATH names a service; absolute and ./ paths with colons stay local', () => {
  assert.deepEqual(splitCpArgument('web:/etc/hosts'), { service: 'web', path: '/etc/hosts' });
  assert.deepEqual(splitCpArgument('/abs:path'), { path: '/abs:path' });
  assert.deepEqual(splitCpArgument('./file:name'), { path: './file:name' });
  assert.deepEqual(splitCpArgument('plain'), { path: 'plain' });
  assert.deepEqual(splitCpArgument('-'), { path: '-' });
});

test('container paths are absolute, keep a trailing / or /., and may not climb out of the root', () => {
  assert.equal(containerPath('tmp/x'), '/tmp/x');
  assert.equal(containerPath('/tmp/dir/'), '/tmp/dir/');
  assert.equal(containerPath('/tmp/dir/.'), '/tmp/dir/.');
  assert.equal(containerPath('/a/../b'), '/b');
  assert.equal(containerPath(''), '/');
  assert.throws(() => containerPath('../etc'), /leads out of the container's root/);
  assert.throws(() => containerPath('/a/../../etc'), /leads out/);
});

test('placement follows docker cp: into a directory as is, onto a file or a new name renamed', () => {
  const file = { path: '/src/a.txt', isDir: false };
  const dir = { path: '/src/site', isDir: true };
  assert.deepEqual(placeCopy(file, { path: '/dst', exists: true, isDir: true }), { dir: '/dst' });
  assert.deepEqual(placeCopy(file, { path: '/dst/b.txt', exists: true, isDir: false }), { dir: '/dst', rename: { from: 'a.txt', to: 'b.txt' } });
  assert.deepEqual(placeCopy(file, { path: '/dst/new', exists: false, isDir: false }), { dir: '/dst', rename: { from: 'a.txt', to: 'new' } });
  assert.deepEqual(placeCopy(dir, { path: '/dst/new', exists: false, isDir: false }), { dir: '/dst', rename: { from: 'site', to: 'new' } });
  assert.throws(() => placeCopy(dir, { path: '/dst/file', exists: true, isDir: false }), /cannot copy a directory onto the file/);
  assert.throws(() => placeCopy(file, { path: '/dst/missing/', exists: false, isDir: false }), /no such directory/);
  const contents = { path: '/src/site/.', isDir: true };
  assert.deepEqual(placeCopy(contents, { path: '/dst', exists: true, isDir: true }), { dir: '/dst' });
  assert.equal(topName(contents, placeCopy(contents, { path: '/dst', exists: true, isDir: true })), '.');
  assert.deepEqual(placeCopy(contents, { path: '/dst/new', exists: false, isDir: false }), { dir: '/dst', rename: { from: '.', to: 'new' } });
});

test('a followed link keeps the name the user gave', () => {
  assert.deepEqual(followedLink('/tmp/pointer', '/data/a.txt'), { path: '/data/a.txt', rebaseName: 'pointer' });
  assert.deepEqual(followedLink('/tmp/pointer', 'target'), { path: '/tmp/target', rebaseName: 'pointer' });
  assert.deepEqual(followedLink('/tmp/same', '/other/same'), { path: '/other/same' });
  const source = { path: '/data/a.txt', isDir: false, rebaseName: 'pointer' };
  assert.deepEqual(placeCopy(source, { path: '/dst', exists: true, isDir: true }), { dir: '/dst', rename: { from: 'a.txt', to: 'pointer' } });
});

test('renaming touches only the first element of a member name', () => {
  assert.equal(renamed('site/a/site', { from: 'site', to: 'new' }), 'new/a/site');
  assert.equal(renamed('site', { from: 'site', to: 'new' }), 'new');
  assert.equal(renamed('sites/x', { from: 'site', to: 'new' }), 'sites/x');
  assert.equal(renamed('./x', { from: '.', to: 'new' }), 'new/x');
  assert.equal(renamed('./', { from: '.', to: 'new' }), 'new');
  assert.equal(renamed('/abs/x', undefined), 'abs/x');
  assert.equal(renamed('../x', undefined), '../x');
});
