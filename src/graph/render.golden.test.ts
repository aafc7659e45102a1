// Golden tests for `berth graph`'s formats: each `fixtures/graph/<case>/compose.yaml` is drawn in every format and
// compared with `expected.<format>`. `UPDATE_FIXTURES=1` rewrites them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DISK } from '../model/files.js';
import { loadFromFiles } from '../model/load-passes.js';
import type { Dict } from '../model/tree.js';
import { GRAPH_FORMATS, RENDERERS } from './render.js';
import { graphView } from './render-view.js';

const root = fileURLToPath(new URL('../../fixtures/graph', import.meta.url));

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  const model = loadFromFiles({ cwd: dir, environment: {}, consistency: false, normalize: false, warn: () => {} }, DISK);
  const view = graphView(model.name, model.tree.services as Record<string, Dict>);
  for (const format of GRAPH_FORMATS) {
    test(`graph ${name} as ${format}`, () => {
      const file = join(dir, `expected.${format}`);
      const actual = RENDERERS[format](view);
      if (process.env.UPDATE_FIXTURES === '1' || !existsSync(file)) writeFileSync(file, actual);
      assert.equal(actual, readFileSync(file, 'utf8'));
    });
  }
}
