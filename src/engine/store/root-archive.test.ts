import assert from 'node:assert/strict';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import * as tar from 'tar-stream';
import { EngineError, statusOf } from '../errors.js';
import { RootDir } from './in-root.js';
import { copyInto, extractInto, packInto } from './root-archive.js';

const sandbox = mkdtempSync(join(tmpdir(), 'berth-root-archive-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

let count = 0;
function fresh(): { root: string; canary: string } {
  const base = join(sandbox, `case-${count++}`);
  mkdirSync(join(base, 'root'), { recursive: true });
  mkdirSync(join(base, 'canary'));
  writeFileSync(join(base, 'canary', 'secret'), 'host\n');
  return { root: join(base, 'root'), canary: join(base, 'canary') };
}

type Member = { name: string; content?: string; symlink?: string; hardlink?: string; directory?: true; mode?: number };

function archive(members: readonly Member[]): Readable {
  const pack = tar.pack();
  for (const member of members) {
    const mode = member.mode ?? (member.directory ? 0o755 : 0o644);
    if (member.symlink !== undefined) pack.entry({ name: member.name, type: 'symlink', linkname: member.symlink });
    else if (member.hardlink !== undefined) pack.entry({ name: member.name, type: 'link', linkname: member.hardlink });
    else if (member.directory) pack.entry({ name: member.name, type: 'directory', mode });
    else pack.entry({ name: member.name, mode }, member.content ?? '');
  }
  pack.finalize();
  return pack as unknown as Readable;
}

async function extract(root: string, destination: string, members: readonly Member[], options = {}): Promise<void> {
  await RootDir.with(root, (dir) => extractInto(dir, destination, archive(members), options));
}

test('members are placed inside the root, through links of the archive and of the root alike', async () => {
  const { root, canary } = fresh();
  symlinkSync(canary, join(root, 'host'));
  await extract(root, '/', [
    { name: 'dir/', directory: true, mode: 0o750 },
    { name: 'dir/file', content: 'a', mode: 0o4755 },
    { name: 'out', symlink: canary },
    { name: 'out/planted', content: 'through the archive link' },
    { name: 'host/planted', content: 'through the root link' },
    { name: 'dir/again', hardlink: 'dir/file' },
    { name: 'dir/link', symlink: '../../../../etc/passwd' },
  ]);
  assert.deepEqual(readdirSync(canary), ['secret'], 'nothing reached the host');
  assert.equal(readFileSync(join(root, canary, 'planted'), 'utf8'), 'through the root link');
  assert.equal(readFileSync(join(root, canary.slice(1), 'planted'), 'utf8'), 'through the root link');
  assert.equal(lstatSync(join(root, 'dir')).mode & 0o7777, 0o750);
  assert.equal(lstatSync(join(root, 'dir/file')).mode & 0o7777, 0o4755);
  assert.equal(lstatSync(join(root, 'dir/again')).ino, lstatSync(join(root, 'dir/file')).ino);
  assert.equal(readlinkSync(join(root, 'dir/link')), '../../../../etc/passwd');
});

test('an existing link is replaced, never written through', async () => {
  const { root, canary } = fresh();
  symlinkSync(join(canary, 'secret'), join(root, 'secret'));
  await extract(root, '/', [{ name: 'secret', content: 'replaced' }]);
  assert.equal(readFileSync(join(canary, 'secret'), 'utf8'), 'host\n');
  assert.equal(lstatSync(join(root, 'secret')).isFile(), true);
});

test('members climbing out of the destination, and hard links to what the archive lacks, are refused with a 400', async () => {
  const { root } = fresh();
  mkdirSync(join(root, 'dest'));
  for (const members of [[{ name: '../escape', content: 'x' }], [{ name: 'a/../../escape', content: 'x' }], [{ name: 'link', hardlink: '../../etc/passwd' }], [{ name: 'link', hardlink: 'missing' }]]) {
    await assert.rejects(extract(root, '/dest', members), (error: unknown) => {
      assert.ok(error instanceof EngineError && statusOf(error) === 400, String(error));
      assert.ok(!error.message.includes(root), error.message);
      return true;
    });
  }
  assert.equal(existsSync(join(root, 'escape')), false);
});

test('noOverwriteDirNonDir refuses to replace a directory by a file and the reverse', async () => {
  const { root } = fresh();
  mkdirSync(join(root, 'dir'));
  writeFileSync(join(root, 'file'), 'x');
  await assert.rejects(extract(root, '/', [{ name: 'dir', content: 'x' }], { noOverwriteDirNonDir: true }), /cannot overwrite directory/);
  await assert.rejects(extract(root, '/', [{ name: 'file/', directory: true }], { noOverwriteDirNonDir: true }), /cannot overwrite non-directory/);
  await extract(root, '/', [{ name: 'dir', content: 'now a file' }]);
  assert.equal(readFileSync(join(root, 'dir'), 'utf8'), 'now a file');
});

test('a tree packed from one root and unpacked in another keeps files, modes, links and hard links', async () => {
  const from = fresh();
  mkdirSync(join(from.root, 'tree/sub'), { recursive: true });
  writeFileSync(join(from.root, 'tree/sub/file'), 'content', { mode: 0o640 });
  linkSync(join(from.root, 'tree/sub/file'), join(from.root, 'tree/hard'));
  symlinkSync(from.canary, join(from.root, 'tree/host'));
  const to = fresh();
  await RootDir.with(from.root, (source) =>
    RootDir.with(to.root, async (target) => {
      const location = source.find('tree', { follow: true });
      try {
        await copyInto(location, '.', target, '/copied', { owner: { uid: 1234, gid: 5678 } });
      } finally {
        location.close();
      }
    }),
  );
  assert.equal(readFileSync(join(to.root, 'copied/sub/file'), 'utf8'), 'content');
  assert.equal(lstatSync(join(to.root, 'copied/sub/file')).mode & 0o777, 0o640);
  assert.equal(lstatSync(join(to.root, 'copied/sub/file')).uid, 1234);
  assert.equal(lstatSync(join(to.root, 'copied/hard')).ino, lstatSync(join(to.root, 'copied/sub/file')).ino);
  assert.equal(readlinkSync(join(to.root, 'copied/host')), from.canary);
  assert.deepEqual(readdirSync(to.canary), ['secret']);
  // Packing names the members as asked, children under the name.
  const names: string[] = [];
  await RootDir.with(from.root, async (source) => {
    const pack = tar.pack();
    const location = source.find('tree');
    const reading = (async () => {
      const extract = tar.extract();
      (pack as unknown as Readable).pipe(extract as unknown as NodeJS.WritableStream);
      for await (const entry of extract) {
        names.push(entry.header.name);
        entry.resume();
      }
    })();
    await packInto(pack, location, 'renamed');
    pack.finalize();
    location.close();
    await reading;
  });
  assert.deepEqual(names, ['renamed', 'renamed/hard', 'renamed/host', 'renamed/sub', 'renamed/sub/file']);
});
