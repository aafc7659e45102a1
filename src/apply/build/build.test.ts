import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildContext, INLINE_DOCKERFILE } from './context.js';
import { collectEntries, tarArchive, tarStream } from './tar.js';
import { parseDockerignore } from '../../engine-api/dockerignore.js';

test('.dockerignore: globs, ** across directories, ! exceptions, later lines win', () => {
  const ignored = parseDockerignore('# comment\nnode_modules\n*.log\n**/tmp\nsecret/*\n!secret/keep.txt\n');
  assert.equal(ignored('node_modules'), true);
  assert.equal(ignored('node_modules/x/y.js'), true);
  assert.equal(ignored('debug.log'), true);
  assert.equal(ignored('sub/debug.log'), false);
  assert.equal(ignored('a/b/tmp'), true);
  assert.equal(ignored('secret/key.pem'), true);
  assert.equal(ignored('secret/keep.txt'), false);
  assert.equal(ignored('src/index.js'), false);
});

test('a build context is a tar with the files (minus ignored ones) and an inline Dockerfile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-context-'));
  t.after(() => rmSync(dir, { recursive: true }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'app.js'), 'console.log(1)\n');
  writeFileSync(join(dir, 'notes.log'), 'x');
  writeFileSync(join(dir, '.dockerignore'), '*.log\n');
  const tar = await collect(buildContext(dir, 'Dockerfile', 'FROM scratch\n'));
  assert.deepEqual(tarNames(tar), ['.dockerignore', 'src/', 'src/app.js', INLINE_DOCKERFILE]);
  assert.equal(tar.length % 512, 0);
});

test(".dockerignore: docker's own tricky cases", async (t) => {
  const ignored = parseDockerignore('/leading\ndocs\n!docs/keep.md\n**/*.map\n!important.map\nDockerfile\n.dockerignore\n');
  assert.equal(ignored('leading'), true, 'a leading / is the context root');
  assert.equal(ignored('docs/other.md'), true);
  assert.equal(ignored('docs/keep.md'), false, '! takes a file back from an excluded directory');
  assert.equal(ignored.descend('docs'), true);
  assert.equal(ignored.descend('leading'), false);
  assert.equal(ignored('deep/a/b.map'), true);
  assert.equal(ignored('important.map'), false);

  const dir = mkdtempSync(join(tmpdir(), 'berth-context-'));
  t.after(() => rmSync(dir, { recursive: true }));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'build'));
  writeFileSync(join(dir, 'docs', 'keep.md'), 'k');
  writeFileSync(join(dir, 'docs', 'other.md'), 'o');
  writeFileSync(join(dir, 'build', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, '.dockerignore'), 'docs\n!docs/keep.md\nbuild\n.dockerignore\n');
  const names = tarNames(await collect(buildContext(dir, 'build/Dockerfile')));
  assert.deepEqual(names, ['.dockerignore', 'build/', 'build/Dockerfile', 'docs/', 'docs/keep.md'], 'the Dockerfile and .dockerignore always go');
});

test('the streamed archive is the same bytes as the one built in memory, files larger than a read chunk included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-context-'));
  t.after(() => rmSync(dir, { recursive: true }));
  mkdirSync(join(dir, 'a'.repeat(120)));
  writeFileSync(join(dir, 'a'.repeat(120), 'long-name.txt'), 'x'.repeat(1000));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 7, 7));
  writeFileSync(join(dir, 'empty'), '');
  const entries = collectEntries(dir, () => false);
  assert.deepEqual(await collect(tarStream(entries)), tarArchive(entries));
});

test('a file that shrinks after it was listed fails the stream instead of sending a broken archive', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-context-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'data'), 'x'.repeat(5000));
  const entries = collectEntries(dir, () => false);
  writeFileSync(join(dir, 'data'), 'x'.repeat(10));
  await assert.rejects(collect(tarStream(entries)), /became shorter/);
});

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = tar.subarray(offset, offset + 100).toString().replace(/\0.*$/s, '');
    if (name === '') break;
    names.push(name);
    const size = parseInt(tar.subarray(offset + 124, offset + 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}
