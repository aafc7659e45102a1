// Bad input in the passes after validation: each is one message with file, line, column and path, exit 1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInMemory } from './run-in-memory.js';

const CASES: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['a bad duration', 'services:\n  web:\n    image: x\n    healthcheck:\n      interval: 10x\n', /compose\.yaml:5:17: services\.web\.healthcheck\.interval: invalid duration "10x"$/],
  ['a bad size', 'services:\n  web:\n    image: x\n    mem_limit: lots\n', /compose\.yaml:4:16: services\.web\.mem_limit: invalid size "lots"$/],
  ['a bad port', 'services:\n  web:\n    image: x\n    ports: ["1-2:3-5"]\n', /compose\.yaml:4:13: services\.web\.ports\[0\]: invalid port "1-2:3-5": invalid ranges/],
  ['a missing extends target', 'services:\n  web:\n    extends: nothere\n', /compose\.yaml:3:14: services\.web\.extends: cannot extend service "web" in .*: service "nothere" not found$/],
  ['a missing extends file', 'services:\n  web:\n    extends:\n      file: other.yaml\n      service: x\n', /compose\.yaml:4:13: services\.web\.extends\.file: cannot extend service "web": cannot read .*other\.yaml: no such file$/],
  ['an extends cycle', 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n', /compose\.yaml:3:14: services\.a\.extends: circular reference in extends: .*:a -> .*:b -> .*:a$/],
  ['an include cycle', 'include:\n  - compose.yaml\nservices:\n  a:\n    image: x\n', /compose\.yaml:2:5: include\[0\]: include cycle detected/],
  ['a missing include', 'include:\n  - missing/compose.yaml\n', /compose\.yaml:2:5: include\[0\]: open .*missing\/compose\.yaml: no such file or directory$/],
  ['a missing env_file', 'services:\n  web:\n    image: x\n    env_file: nothere.env\n', /env file .*nothere\.env not found \(services\.web\.env_file\)$/],
];

for (const [what, text, message] of CASES) {
  test(`${what} is one clear error`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bad-'));
    t.after(() => rmSync(dir, { recursive: true }));
    writeFileSync(join(dir, 'compose.yaml'), text);
    const result = await runInMemory(['config', '-q'], dir);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr.trimEnd().split('\n')[0]!, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}
