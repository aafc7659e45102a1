// What berth sees at an engine socket decides whether it may start or use its own engine: only a socket nobody
// listens on counts as absent. Real unix sockets, in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pingSocket, probeSocket } from './embedded.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

test('no socket file, or a file nobody listens on, is absent', async () => {
  assert.equal(await probeSocket(join(dir, 'missing.sock')), 'absent');
  const stale = join(dir, 'stale.sock');
  const server = createServer();
  await listen(server, stale);
  await new Promise((resolve) => server.close(resolve));
  writeFileSync(stale, ''); // a plain file where the socket was
  assert.equal(await probeSocket(stale), 'absent');
});

test('an engine that answers /_ping answers, whatever its status', async () => {
  const path = join(dir, 'answering.sock');
  const server = createHttpServer((request, response) => response.writeHead(request.url === '/_ping' ? 503 : 404).end());
  await listen(server, path);
  try {
    assert.equal(await probeSocket(path), 'answers');
  } finally {
    server.close();
  }
});

test("an engine's ping answer says which API version it speaks (no /version round trip needed)", async () => {
  const path = join(dir, 'greeting.sock');
  const server = createHttpServer((request, response) => response.writeHead(200, { 'Api-Version': '1.41', Ostype: 'linux' }).end('OK'));
  await listen(server, path);
  try {
    assert.deepEqual(await pingSocket(path), { state: 'answers', greeting: { apiVersion: '1.41', os: 'linux' } });
  } finally {
    server.close();
  }
});

test('a ping answer without a well-formed version gives none', async () => {
  const path = join(dir, 'odd.sock');
  const server = createHttpServer((request, response) => response.writeHead(200, { 'Api-Version': 'v1.41; rm -rf' }).end('OK'));
  await listen(server, path);
  try {
    assert.deepEqual(await pingSocket(path), { state: 'answers', greeting: {} });
  } finally {
    server.close();
  }
});

test('an engine that accepts but is too busy to answer in time is present, not absent', async () => {
  const path = join(dir, 'busy.sock');
  const held: import('node:net').Socket[] = [];
  const server = createServer((socket) => held.push(socket)); // reads nothing, answers nothing
  await listen(server, path);
  try {
    assert.equal(await probeSocket(path, 100), 'present');
  } finally {
    for (const socket of held) socket.destroy();
    server.close();
  }
});
