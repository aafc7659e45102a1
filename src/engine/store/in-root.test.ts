import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { EngineError, statusOf } from '../errors.js';
import { MAX_LINKS, PathError, readFileInRoot, RootDir } from './in-root.js';

const sandbox = mkdtempSync(join(tmpdir(), 'berth-in-root-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

/** A root with a canary beside it: what no resolution may reach. */
function makeRoot(name: string): { root: string; canary: string } {
  const base = join(sandbox, name);
  const root = join(base, 'root');
  const canary = join(base, 'canary');
  mkdirSync(root, { recursive: true });
  mkdirSync(canary, { recursive: true });
  writeFileSync(join(canary, 'secret'), 'host secret\n');
  return { root, canary };
}

function withRoot<T>(path: string, use: (root: RootDir) => T): T {
  const root = RootDir.open(path);
  try {
    return use(root);
  } finally {
    root.close();
  }
}

function resolved(root: RootDir, path: string, follow = true): string {
  return root.with(path, { follow }, (location) => `${location.path}${location.exists ? '' : ' (missing)'}`);
}

function failure(action: () => unknown): PathError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a PathError');
}

test('links are followed inside the root: absolute ones start again at it, `..` never climbs above it', () => {
  const { root, canary } = makeRoot('basic');
  mkdirSync(join(root, 'a/b'), { recursive: true });
  writeFileSync(join(root, 'a/b/file'), 'inside\n');
  symlinkSync('/', join(root, 'slash'));
  symlinkSync('/a/b', join(root, 'absolute'));
  symlinkSync('a/b', join(root, 'relative'));
  symlinkSync('../../../../../../..', join(root, 'a/up'));
  symlinkSync(canary, join(root, 'host'));
  symlinkSync(`../canary`, join(root, 'sibling'));
  symlinkSync('/proc/self/root/etc', join(root, 'procfs'));
  symlinkSync('b/file', join(root, 'a/last'));
  withRoot(root, (dir) => {
    assert.equal(resolved(dir, 'slash/a/b/file'), '/a/b/file');
    assert.equal(resolved(dir, '/absolute/file'), '/a/b/file');
    assert.equal(resolved(dir, 'relative/../b/./file'), '/a/b/file');
    assert.equal(resolved(dir, 'a/up/a/b/file'), '/a/b/file');
    assert.equal(resolved(dir, '../../../a/b/file'), '/a/b/file');
    assert.equal(failure(() => resolved(dir, 'host/secret')).code, 'ENOENT');
    assert.equal(failure(() => resolved(dir, 'sibling/secret')).code, 'ENOENT');
    assert.equal(failure(() => resolved(dir, 'procfs/passwd')).code, 'ENOENT');
    assert.equal(resolved(dir, '/'), '/');
    assert.equal(resolved(dir, 'a/b/..'), '/a');
    // The final link: followed only when asked, or when a trailing slash asks for a directory.
    assert.equal(resolved(dir, 'a/last', false), '/a/last');
    assert.equal(resolved(dir, 'a/last'), '/a/b/file');
    assert.equal(resolved(dir, 'absolute', false), '/absolute');
    assert.equal(resolved(dir, 'absolute/', false), '/a/b');
    assert.equal(readFileInRoot(dir, 'relative/file', 100)?.toString(), 'inside\n');
    assert.equal(readFileInRoot(dir, 'host/secret', 100), undefined);
    assert.throws(() => readFileInRoot(dir, 'relative/file', 3), /larger than 3 bytes/);
  });
});

test('loops, non-directories on the way and names too long are clean errors naming only the path asked for', () => {
  const { root } = makeRoot('errors');
  writeFileSync(join(root, 'file'), 'x');
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('self/x', join(root, 'self'));
  // A chain exactly as long as the kernel allows, and one link longer.
  for (let index = 0; index <= MAX_LINKS; index++) symlinkSync(index === MAX_LINKS ? 'file' : `chain${index + 1}`, join(root, `chain${index}`));
  withRoot(root, (dir) => {
    for (const [path, code, status] of [
      ['loop1', 'ELOOP', 400],
      ['loop1/x', 'ELOOP', 400],
      ['self', 'ELOOP', 400],
      ['file/x', 'ENOTDIR', 400],
      ['file/', 'ENOTDIR', 400],
      ['missing/x', 'ENOENT', 404],
      ['', 'ENOENT', 404],
      ['x'.repeat(256), 'ENAMETOOLONG', 400],
      ['a/'.repeat(3000), 'ENAMETOOLONG', 400],
      ['chain0', 'ELOOP', 400],
    ] as const) {
      const error = failure(() => resolved(dir, path));
      assert.equal(error.code, code, path.slice(0, 40));
      assert.equal(statusOf(error), status);
      assert.ok(!error.message.includes(root) && !error.message.includes('/proc'), error.message);
    }
    assert.equal(resolved(dir, 'chain1'), '/file', 'forty links are followed');
    assert.equal(resolved(dir, 'x'.repeat(255)), `/${'x'.repeat(255)} (missing)`);
  });
});

test('create makes the missing directories on the way, inside the root', () => {
  const { root, canary } = makeRoot('create');
  symlinkSync(canary, join(root, 'host'));
  withRoot(root, (dir) => {
    dir.with('host/new/deeper/file', { create: true }, (location) => {
      assert.equal(location.path, `${canary}/new/deeper/file`);
      const fd = location.createFile(0o644);
      closeSync(fd);
    });
  });
  assert.equal(readFileSync(join(root, canary, 'new/deeper/file'), 'utf8'), '');
  assert.deepEqual(readdirSync(canary), ['secret']);
});

test('a link swapped in while files are created never leads a write out of the root', async () => {
  const { root, canary } = makeRoot('race');
  mkdirSync(join(root, 'dir'));
  symlinkSync(canary, join(root, 'link'));
  // `target` keeps turning from a directory into a link to the host directory and back.
  const swapper = spawn('sh', ['-c', 'while true; do mv dir target; mv target dir; mv link target; mv target link; done'], { cwd: root, stdio: 'ignore' });
  try {
    let created = 0;
    const deadline = Date.now() + 1500;
    for (let index = 0; Date.now() < deadline; index++) {
      try {
        withRoot(root, (dir) =>
          dir.with(`target/file${index}`, {}, (location) => {
            closeSync(location.createFile(0o644));
            created++;
          }),
        );
      } catch (error) {
        assert.ok(error instanceof EngineError, String(error));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(created > 0, 'files were created while the links changed');
  } finally {
    swapper.kill('SIGKILL');
  }
  assert.deepEqual(readdirSync(canary), ['secret']);
});

test('remove takes a directory with everything in it, and never what a link inside points to', () => {
  const { root, canary } = makeRoot('remove');
  mkdirSync(join(root, 'd/e'), { recursive: true });
  symlinkSync(canary, join(root, 'd/host'));
  symlinkSync(join(canary, 'secret'), join(root, 'd/e/secret'));
  withRoot(root, (dir) => dir.with('d', {}, (location) => location.remove()));
  assert.equal(existsSync(join(root, 'd')), false);
  assert.deepEqual(readdirSync(canary), ['secret']);
});

// The kernel as the reference: a shell chrooted at the root follows links exactly as any process there would.
// Each random tree is built on disk, random paths are resolved by both, and they must reach the same directory
// (its physical path, as `pwd -P` tells it) or file (its content), or both reach nothing.
const busybox = '/bin/busybox';
const canChroot = process.getuid?.() === 0 && existsSync(busybox);
const ORACLE = `for p in "$@"; do
  if [ -d "$p" ]; then (cd -P -- "$p" && pwd -P) || echo missing
  elif [ -f "$p" ]; then IFS= read -r line < "$p"; echo "file:$line"
  else echo missing; fi
done`;

type Node = { kind: 'dir'; path: string } | { kind: 'file'; path: string } | { kind: 'link'; path: string; target: string };

const NAMES = ['a', 'b', 'c', '..', '.', ''];
const segment = fc.constantFrom('a', 'b', 'c', 'l', 'm');
const relativePath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const linkTarget = fc.oneof(
  relativePath,
  relativePath.map((path) => `/${path}`),
  fc.array(fc.constantFrom(...NAMES, 'l', 'm'), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/') || '.'),
  fc.constantFrom('/', '..', '../..', '/proc/self/root', '/proc/self/cwd', '/etc', '/etc/passwd', '../canary', '../canary/secret', 'l', 'l/a', 'm/..'),
);
const tree = fc.array(
  fc.oneof(
    relativePath.map((path): Node => ({ kind: 'dir', path })),
    relativePath.map((path): Node => ({ kind: 'file', path })),
    fc.tuple(relativePath, linkTarget).map(([path, target]): Node => ({ kind: 'link', path, target })),
  ),
  { maxLength: 14 },
);
const query = fc.array(fc.constantFrom('a', 'b', 'c', 'l', 'm', '..', '.', ''), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/'));

/**
 * The directory that holds `path` (relative) under `root`, made as needed, reached without following any link; none
 * when a component on the way is a link or a file.
 */
function realParentOf(root: string, path: string): string | undefined {
  let dir = root;
  for (const part of path.split('/').slice(0, -1)) {
    dir = join(dir, part);
    try {
      if (!lstatSync(dir).isDirectory()) return undefined; // a link (to anywhere) or a file
    } catch {
      mkdirSync(dir);
    }
  }
  return dir;
}

test('resolution agrees with the kernel chrooted at the root, for random trees of links', { skip: !canChroot && 'needs root and busybox-static' }, () => {
  let run = 0;
  fc.assert(
    fc.property(tree, fc.array(query, { minLength: 1, maxLength: 12 }), (nodes, paths) => {
      const { root } = makeRoot(`random-${run++}`);
      for (const node of nodes) {
        // The tree is built through real directories only: the links it holds point anywhere (`/etc`,
        // `/proc/self/cwd`), and following one here would write on the host.
        const parent = realParentOf(root, node.path);
        if (parent === undefined) continue;
        const path = join(parent, basename(node.path));
        try {
          if (node.kind === 'dir') mkdirSync(path);
          else if (node.kind === 'file') writeFileSync(path, node.path, { flag: 'wx' });
          else symlinkSync(node.target, path);
        } catch {
          // a name already taken: the node is left out
        }
      }
      mkdirSync(join(root, '.oracle'));
      try {
        linkSync(busybox, join(root, '.oracle/busybox'));
      } catch {
        copyFileSync(busybox, join(root, '.oracle/busybox'));
      }
      const oracle = spawnSync('chroot', [root, '/.oracle/busybox', 'sh', '-c', ORACLE, 'sh', ...paths], { encoding: 'utf8' });
      const answers = oracle.stdout.split('\n');
      withRoot(root, (dir) => {
        paths.forEach((path, index) => {
          let ours = 'missing';
          try {
            ours = dir.with(path, { follow: true }, (location) => {
              if (location.entry.kind === 'directory') return location.path;
              if (location.entry.kind === 'other') return `file:${readFileInRoot(dir, location.path, 1000)?.toString()}`;
              return 'missing';
            });
          } catch (error) {
            assert.ok(error instanceof PathError, `${path}: ${String(error)}`);
          }
          assert.equal(ours, answers[index], `resolving ${JSON.stringify(path)} in ${JSON.stringify(nodes)}`);
        });
      });
      rmSync(join(root, '..'), { recursive: true, force: true });
    }),
    { numRuns: 60 },
  );
});
