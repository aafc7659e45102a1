// Property: whatever text a compose file holds, loading it ends in a model or in a BerthError, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isBerthError } from './errors.js';
import { loadModel } from './load.js';

const yamlish = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom('services:', 'services:\n  web:\n', '  image: x\n', '- a\n', ': :\n', '${X:?', '!reset', '&a *a', '<<: *b', '\t', '---\n'),
);

test('random text never crashes the loader: a model or one BerthError', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-property-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const file = join(dir, 'compose.yaml');
  fc.assert(
    fc.property(fc.array(yamlish, { maxLength: 8 }), (parts) => {
      writeFileSync(file, parts.join('\n'));
      try {
        loadModel({ cwd: dir, environment: {}, files: [file], projectName: 'prop', warn: () => {} });
      } catch (error) {
        assert.ok(isBerthError(error), `not a BerthError: ${String((error as Error)?.stack ?? error)}`);
      }
    }),
    { numRuns: 300 },
  );
});
