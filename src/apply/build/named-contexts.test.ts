import assert from 'node:assert/strict';
import { test } from 'node:test';
import { substituteContexts } from './named-contexts.js';

test('service: and docker-image:// contexts become images in FROM and --from; stages of the file are left alone', () => {
  const images = new Map([
    ['base', 'demo-base'],
    ['tools', 'example/tools:1'],
  ]);
  const before = 'FROM base AS build\nCOPY --from=tools /bin/x /x\nFROM build\nCOPY --from=build /x /x\nFROM --platform=linux/amd64 tools\n';
  assert.equal(substituteContexts(before, images), 'FROM demo-base AS build\nCOPY --from=example/tools:1 /bin/x /x\nFROM build\nCOPY --from=build /x /x\nFROM --platform=linux/amd64 example/tools:1\n');
});
