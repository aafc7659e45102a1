import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fakeEngine } from '../engine-client/fake.js';
import { tarArchive } from '../apply/build/tar.js';
import type { WatchRule } from './rules.js';
import { applySync, fullSyncPlan, syncPlan } from './sync.js';

function source(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sync-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'main.js'), 'main');
  chmodSync(join(dir, 'main.js'), 0o755);
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'util.js'), 'util');
  chmodSync(join(dir, 'lib', 'util.js'), 0o644);
  chmodSync(join(dir, 'lib'), 0o755);
  writeFileSync(join(dir, 'lib', 'scratch.tmp'), 'ignored');
  symlinkSync('main.js', join(dir, 'entry.js'));
  return dir;
}

const rule = (path: string): WatchRule => ({ service: 'app', action: 'sync', path, target: '/srv/app', initialSync: false, ignores: (file) => file.endsWith('.tmp') });

test('a batch means: changed files, directories (with what is in them) and links copied to the target; deleted paths removed', (t) => {
  const dir = source(t);
  const plan = syncPlan(
    rule(dir),
    new Map([
      [join(dir, 'main.js'), true],
      [join(dir, 'lib'), true],
      [join(dir, 'entry.js'), true],
      [join(dir, 'old.js'), false],
      [join(dir, 'vanished.js'), true],
      [join(dir, 'lib', 'scratch.tmp'), true],
    ]),
  );
  assert.deepEqual(
    plan.entries.map(({ path, type, mode }) => `${type} ${path} ${mode.toString(8)}`),
    ['file srv/app/main.js 755', 'directory srv/app/lib 755', 'file srv/app/lib/util.js 644', 'symlink srv/app/entry.js 777'],
  );
  assert.equal(plan.entries.find((entry) => entry.type === 'symlink')?.target, 'main.js');
  assert.deepEqual(plan.removed, ['/srv/app/old.js', '/srv/app/vanished.js'], 'a file gone by the time the batch is read is removed too');
});

test('initial_sync sends the whole path, minus what the rule ignores', (t) => {
  const dir = source(t);
  const paths = fullSyncPlan(rule(dir)).entries.map((entry) => entry.path).sort();
  assert.deepEqual(paths, ['srv/app', 'srv/app/entry.js', 'srv/app/lib', 'srv/app/lib/util.js', 'srv/app/main.js']);
});

test('every replica gets the removals, then one tar with the files', async () => {
  const { engine, calls } = fakeEngine({ containers: { exec: async () => ({ exitCode: 0, output: '' }) } });
  await applySync(engine, ['c1', 'c2'], { entries: [{ path: 'srv/a', type: 'file', mode: 0o644, content: Buffer.from('a') }], removed: ['/srv/b'] });
  assert.deepEqual(
    calls.map((call) => call.replace(/ \{"type":"Buffer".*$/, ' <tar>')),
    ['containers.exec c1 {"command":["rm","-rf","--","/srv/b"]}', 'containers.exec c2 {"command":["rm","-rf","--","/srv/b"]}', 'containers.putArchive c1 / <tar>', 'containers.putArchive c2 / <tar>'],
  );
  const quiet = fakeEngine();
  await applySync(quiet.engine, ['c1'], { entries: [], removed: [] });
  assert.deepEqual(quiet.calls, [], 'nothing to send, nothing sent');
});

test('a large sync is streamed to each replica, its files read as they are sent; the archive is the same', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sync-large-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = Buffer.alloc(3 * 1024 * 1024, 'x');
  writeFileSync(join(dir, 'big.bin'), big);
  writeFileSync(join(dir, 'other.bin'), big);
  const plan = syncPlan(rule(dir), new Map([[join(dir, 'big.bin'), true], [join(dir, 'other.bin'), true]]));
  assert.equal(plan.entries[0]!.content, undefined, 'a file over 1 MiB is not read when planned');
  const received: Buffer[] = [];
  const { engine } = fakeEngine({
    containers: {
      putArchive: async (_id: string, _path: string, tar: Buffer | NodeJS.ReadableStream) => {
        assert.ok(!Buffer.isBuffer(tar), 'over 4 MiB: a stream, not one Buffer');
        const chunks: Buffer[] = [];
        for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
        received.push(Buffer.concat(chunks));
      },
    },
  });
  await applySync(engine, ['c1', 'c2'], plan);
  assert.equal(received.length, 2);
  const expected = tarArchive(plan.entries);
  for (const tar of received) assert.ok(tar.equals(expected), 'the streamed archive is the one made in memory');
});
