import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { watchTrees } from './watcher.js';

/** A temporary directory, removed after the test, and a watcher on `paths(dir)` collecting what it reports. */
function watching(t: TestContext, setUp: (dir: string) => string[], ignored: (path: string) => boolean = () => false) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-watcher-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = setUp(dir);
  const seen = new Set<string>();
  const problems: string[] = [];
  const watcher = watchTrees(paths, { ignored, change: (path) => seen.add(path), problem: (message) => problems.push(message) });
  t.after(() => watcher.close());
  /** Waits (bounded) until `path` has been reported. */
  const reported = async (path: string): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!seen.has(path)) {
      if (Date.now() > deadline) assert.fail(`${path} was not reported (seen: ${[...seen].join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** Gives stray events time to arrive, then forgets what was seen. */
  const settle = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen.clear();
  };
  return { dir, seen, problems, reported, settle };
}

test('changed, new and removed files are reported, in directories below too, and directories made later', async (t) => {
  const { dir, seen, reported, settle } = watching(t, (root) => {
    mkdirSync(join(root, 'site/deep'), { recursive: true });
    writeFileSync(join(root, 'site/deep/old.txt'), 'old');
    return [join(root, 'site')];
  });
  writeFileSync(join(dir, 'site/deep/old.txt'), 'changed');
  await reported(join(dir, 'site/deep/old.txt'));
  mkdirSync(join(dir, 'site/made'));
  await reported(join(dir, 'site/made'));
  await settle();
  writeFileSync(join(dir, 'site/made/new.txt'), 'new');
  await reported(join(dir, 'site/made/new.txt'));
  rmSync(join(dir, 'site/deep'), { recursive: true });
  await reported(join(dir, 'site/deep'));
  await settle();
  writeFileSync(join(dir, 'outside.txt'), 'not watched');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([...seen], []);
});

test('every write is reported, none held back: two writes in a row are two reports', async (t) => {
  const { dir, seen, reported, settle } = watching(t, (root) => {
    mkdirSync(join(root, 'site'));
    writeFileSync(join(root, 'site/a.txt'), 'start');
    return [join(root, 'site')];
  });
  const file = join(dir, 'site/a.txt');
  writeFileSync(file, 'one');
  await reported(file);
  seen.clear();
  writeFileSync(file, 'two'); // well within chokidar's 50 ms, which dropped it
  await reported(file);
  await settle();
});

test('a watched file is seen through its directory: replaced by a rename, as editors save; its neighbours are not reported', async (t) => {
  const { dir, seen, reported, settle } = watching(t, (root) => {
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app/Dockerfile'), 'FROM a');
    writeFileSync(join(root, 'app/other'), 'x');
    return [join(root, 'app/Dockerfile')];
  });
  writeFileSync(join(dir, 'app/Dockerfile.tmp'), 'FROM b');
  renameSync(join(dir, 'app/Dockerfile.tmp'), join(dir, 'app/Dockerfile'));
  await reported(join(dir, 'app/Dockerfile'));
  await settle();
  writeFileSync(join(dir, 'app/Dockerfile'), 'FROM c');
  await reported(join(dir, 'app/Dockerfile'));
  writeFileSync(join(dir, 'app/other'), 'y');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([...seen], [join(dir, 'app/Dockerfile')]);
});

test('ignored paths are not reported, nor anything under an ignored directory', async (t) => {
  const { dir, seen, reported } = watching(
    t,
    (root) => {
      mkdirSync(join(root, 'site/node_modules/pkg'), { recursive: true });
      return [join(root, 'site')];
    },
    (path) => path.includes('node_modules') || path.endsWith('.swp'),
  );
  writeFileSync(join(dir, 'site/node_modules/pkg/index.js'), 'x');
  writeFileSync(join(dir, 'site/.a.swp'), 'x');
  writeFileSync(join(dir, 'site/kept.txt'), 'x');
  await reported(join(dir, 'site/kept.txt'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([...seen], [join(dir, 'site/kept.txt')]);
});

test('a link is reported as itself and never followed', async (t) => {
  const { dir, seen, reported } = watching(t, (root) => {
    mkdirSync(join(root, 'site'));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'site/link'));
    return [join(root, 'site')];
  });
  writeFileSync(join(dir, 'elsewhere/file'), 'x');
  symlinkSync('nowhere', join(dir, 'site/dangling'));
  await reported(join(dir, 'site/dangling'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([...seen], [join(dir, 'site/dangling')]);
});

test('a watched directory removed whole is reported as removed; a path that does not exist is a problem, not a crash', async (t) => {
  const { dir, reported, problems } = watching(t, (root) => {
    mkdirSync(join(root, 'site'));
    return [join(root, 'site'), join(root, 'missing')];
  });
  assert.deepEqual(problems, [], 'a missing path is left out quietly (the rules checked it exists)');
  rmSync(join(dir, 'site'), { recursive: true });
  await reported(join(dir, 'site'));
});
