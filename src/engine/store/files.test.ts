import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJsonFile, StateFiles, writeJsonAtomic } from './files.js';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a write replaces the file whole and leaves no temporary file behind', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'sub', 'state.json');
  writeJsonAtomic(path, { a: 1 });
  writeJsonAtomic(path, { a: 2 });
  assert.deepEqual(readJsonFile(path), { a: 2 });
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['state.json']);
});

test('a missing file reads as nothing', (t) => {
  assert.equal(readJsonFile(join(scratch(t), 'absent.json')), undefined);
});

for (const [kind, content] of [['empty', ''], ['torn', '{"id": "abc", "sta'], ['garbage', '\u0000\u0000\u0000']] as const) {
  test(`a ${kind} file reads as nothing, is moved aside, and is reported`, (t) => {
    const dir = scratch(t);
    const path = join(dir, 'container.json');
    writeFileSync(path, content);
    const reports: string[] = [];
    assert.equal(readJsonFile(path, (message) => reports.push(message)), undefined);
    assert.equal(existsSync(path), false);
    const aside = readdirSync(dir).find((name) => name.startsWith('container.json.corrupt-'));
    assert.ok(aside, 'kept for a post-mortem');
    assert.equal(readFileSync(join(dir, aside), 'utf8'), content);
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /could not be read back/);
  });
}

test('durable writes to one file run in order, a queued one replaced by the latest, and never make a missing directory', async (t) => {
  const dir = scratch(t);
  const files = new StateFiles();
  const path = join(dir, 'record.json');
  const writes = [files.write(path, { n: 1 }), files.write(path, { n: 2 }), files.write(path, { n: 3 })];
  await Promise.all(writes);
  assert.deepEqual(readJsonFile(path), { n: 3 });
  assert.deepEqual(readdirSync(dir), ['record.json'], 'no temporary file left');
  await files.settled(path);
  await assert.rejects(files.write(join(dir, 'gone', 'record.json'), { n: 4 }), /ENOENT/);
  assert.equal(existsSync(join(dir, 'gone')), false);
});
