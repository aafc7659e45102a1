// The local unpacking of a container's archive, fed hostile archives built here (the archive is the container's
// word, not to be trusted): nothing is written outside the destination, nothing through a link.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import * as tar from 'tar-stream';
import { extractLocal, packLocal } from './cp-host.js';

type Member = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; content?: string; linkname?: string };

function archive(members: readonly Member[]): Readable {
  const pack = tar.pack();
  for (const member of members) pack.entry({ name: member.name, type: member.type ?? 'file', mode: 0o644, ...(member.linkname ? { linkname: member.linkname } : {}) }, member.content ?? '');
  pack.finalize();
  return pack as unknown as Readable;
}

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cp-host-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'dest'));
  mkdirSync(join(dir, 'outside'));
  return dir;
}

const ignore = (): void => {};

test('a member that climbs out of the destination is refused', async (t) => {
  const dir = scratch(t);
  await assert.rejects(extractLocal(archive([{ name: '../outside/x', content: 'no' }]), { dir: join(dir, 'dest') }, ignore), /leads out of the destination/);
  assert.equal(existsSync(join(dir, 'outside/x')), false);
});

test('a member written through a link the archive made is refused', async (t) => {
  const dir = scratch(t);
  const members: Member[] = [
    { name: 'evil', type: 'symlink', linkname: join(dir, 'outside') },
    { name: 'evil/x', content: 'no' },
  ];
  await assert.rejects(extractLocal(archive(members), { dir: join(dir, 'dest') }, ignore), /through a symbolic link/);
  assert.equal(existsSync(join(dir, 'outside/x')), false);
});

test('a file member never writes through a link already at its place', async (t) => {
  const dir = scratch(t);
  symlinkSync(join(dir, 'outside/target'), join(dir, 'dest/x'));
  await extractLocal(archive([{ name: 'x', content: 'replaced' }]), { dir: join(dir, 'dest') }, ignore);
  assert.equal(existsSync(join(dir, 'outside/target')), false);
  assert.equal(readFileSync(join(dir, 'dest/x'), 'utf8'), 'replaced');
});

test('a local tree packed and unpacked comes back the same, renamed', async (t) => {
  const dir = scratch(t);
  mkdirSync(join(dir, 'outside/tree/sub'), { recursive: true });
  writeFileSync(join(dir, 'outside/tree/a'), 'A');
  writeFileSync(join(dir, 'outside/tree/sub/b'), 'B');
  symlinkSync('a', join(dir, 'outside/tree/l'));
  await extractLocal(packLocal(join(dir, 'outside/tree'), 'tree', ignore), { dir: join(dir, 'dest'), rename: { from: 'tree', to: 'copy' } }, ignore);
  assert.equal(readFileSync(join(dir, 'dest/copy/sub/b'), 'utf8'), 'B');
  assert.equal(readFileSync(join(dir, 'dest/copy/l'), 'utf8'), 'A');
});
