// berth's engine facing bad input: hostile archives, oversized bodies, clients that go away, random requests.
// Each time the engine answers cleanly, writes nothing outside its root, and keeps serving.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { tarArchive } from '../../src/apply/build/tar.js';
import { rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

const ESCAPE = `/tmp/berth-escape-${process.pid}`;

/** Sends `body` to the engine and answers with the status and text. */
function send(method: string, path: string, body: Buffer, contentType = 'application/x-tar'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: engine.socket, method, path, agent: false, headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hostile = (): Buffer =>
  tarArchive([
    { path: `../../../..${ESCAPE}-dotdot`, type: 'file', mode: 0o644, content: Buffer.from('x') },
    { path: `${ESCAPE.slice(1)}-absolute`, type: 'file', mode: 0o644, content: Buffer.from('x') },
    { path: 'link', type: 'symlink', mode: 0o777, target: '/tmp' },
    { path: `link/berth-escape-${process.pid}-through-link`, type: 'file', mode: 0o644, content: Buffer.from('x') },
  ]);

function nothingEscaped(): void {
  for (const suffix of ['-dotdot', '-absolute', '-through-link']) {
    const path = suffix === '-through-link' ? `/tmp/berth-escape-${process.pid}-through-link` : `${ESCAPE}${suffix}`;
    assert.equal(existsSync(path), false, `${path} must not exist`);
    rmSync(path, { force: true });
  }
}

test('a hostile image archive is refused and writes nothing outside the engine root', async () => {
  const result = await send('POST', '/images/load', hostile());
  assert.ok(result.status >= 400 && result.status < 500, `status ${result.status}: ${result.body}`);
  nothingEscaped();
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});

test('a hostile archive copied into a container stays inside the container', async () => {
  const id = engine.docker(['run', '-d', '--network', 'none', IMAGE, 'sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]).stdout.trim();
  try {
    const result = await send('PUT', `/containers/${id}/archive?path=/`, hostile());
    assert.ok(result.status < 500, `status ${result.status}: ${result.body}`);
    nothingEscaped();
  } finally {
    engine.docker(['rm', '-f', id]);
  }
});

/**
 * The engine's answer to a request that declares a body of `length` bytes, of which none is sent: an oversized one
 * is refused from its headers. (Sending the body as well races the engine's early answer and close: node's client
 * then reports the failed write rather than the answer.) Bounded: no answer within 15 s fails the test.
 */
function answerToDeclaredBody(path: string, length: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(engine.socket);
    let received = '';
    const settle = (): void => {
      const answer = /^HTTP\/1\.1 (\d{3})[^]*?content-length: (\d+)\r\n[^]*?\r\n\r\n([^]*)$/i.exec(received);
      if (!answer || Buffer.byteLength(answer[3]!) < Number(answer[2])) return;
      socket.destroy();
      resolve({ status: Number(answer[1]), body: answer[3]! });
    };
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error(`no whole answer from the engine within 15 s: ${JSON.stringify(received.slice(0, 200))}`));
    });
    socket.on('data', (chunk) => {
      received += chunk;
      settle();
    });
    socket.on('error', () => undefined);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
  });
}

test('an oversized JSON body is a 413, and the engine keeps serving', async () => {
  const result = await answerToDeclaredBody('/containers/create', 9 * 1024 * 1024);
  assert.equal(result.status, 413, result.body);
  assert.match(result.body, /request body larger than/);
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});

test('a client that goes away mid-stream does not disturb the engine', async () => {
  const id = engine.docker(['run', '-d', '--network', 'none', IMAGE, 'sh', '-c', "trap 'exit 0' TERM; while true; do echo tick; sleep 0.1; done & wait"]).stdout.trim();
  try {
    await new Promise<void>((resolve) => {
      const req = request({ socketPath: engine.socket, path: `/containers/${id}/logs?follow=1&stdout=1` }, (response) => {
        response.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
    for (const path of ['/_ping', `/containers/${id}/json`, '/containers/json']) assert.equal((await rawRequest(engine.socket, 'GET', path)).status, 200);
  } finally {
    engine.docker(['rm', '-f', id]);
  }
});

test('random requests never crash the engine (a small fuzz pass over the routes)', async () => {
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
  const paths = ['/containers/create', '/containers/x/start', '/containers/json?filters=%7B', '/images/json?filters=[1]', '/images/load', '/exec/x/start', '/v1.44/containers/%ZZ/json', '/containers/x/archive', '/events?since=abc&until=1', '/images/x/tag?repo=', '/containers/x/wait?condition=never', '/networks/create', '/volumes/create', '/v9.99/_ping', '/../../etc/passwd'];
  const bodies = ['', '{', '[]', 'null', '{"Image":5}', '{"Image":"nope","HostConfig":{"NetworkMode":"none"}}', '{"Cmd":"x"}', '\u0000\u0001', 'x'.repeat(1000)];
  let seed = 7;
  const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let i = 0; i < 120; i++) {
    const result = await rawRequest(engine.socket, methods[next(methods.length)]!, paths[next(paths.length)]!, bodies[next(bodies.length)]);
    assert.ok(result.status >= 200 && result.status < 500, `status ${result.status}: ${result.body}`);
    if (result.status >= 400 && result.body !== '') assert.equal(typeof JSON.parse(result.body).message, 'string');
  }
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});

test('a body of the wrong shape is a 400 naming the field, before any handler reads it', async () => {
  const cases: Array<[string, string, object, RegExp]> = [
    ['POST', '/containers/create', { Image: IMAGE, HostConfig: { Memory: '12' } }, /^HostConfig\.Memory: expected integer, got string$/],
    ['POST', '/containers/create', { Image: IMAGE, HostConfig: { Mounts: [{ Type: 'bind', Target: 5 }] } }, /^HostConfig\.Mounts\[0\]\.Target: expected string, got integer$/],
    ['POST', '/containers/create', { Image: IMAGE, WorkingDir: `/${'a'.repeat(5000)}` }, /^WorkingDir: longer than 4096 characters$/],
    ['POST', '/containers/create', { Cmd: ['true'] }, /^Image is required$/],
    ['POST', '/networks/create', { Name: 'n'.repeat(300) }, /^Name: longer than 255 characters$/],
    ['POST', '/volumes/create', { Labels: ['a'] }, /^Labels: expected object, got array$/],
    ['POST', '/containers/x/exec', { Cmd: 'ls' }, /^Cmd: expected array, got string$/],
  ];
  for (const [method, path, body, message] of cases) {
    const result = await rawRequest(engine.socket, method, path, JSON.stringify(body));
    assert.equal(result.status, 400, `${path}: ${result.body}`);
    assert.match(JSON.parse(result.body).message, message);
  }
  const query = await rawRequest(engine.socket, 'GET', '/containers/json?limit=ten');
  assert.deepEqual([query.status, JSON.parse(query.body).message], [400, 'limit: expected integer, got "ten"']);
});

test('GET // and other unclean paths are answered (301 to the clean path, as dockerd)', async () => {
  for (const [path, location] of [['//', '/'], ['/v1.44//containers/json', '/v1.44/containers/json'], ['/containers/../_ping', '/_ping']]) {
    const answer = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = request({ socketPath: engine.socket, path, agent: false }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, location: response.headers.location });
      });
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(answer, { status: 301, location });
  }
});

test('a body that never finishes arriving is answered with a 408, and the engine keeps serving', async () => {
  const started = Date.now();
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ socketPath: engine.socket, method: 'POST', path: '/containers/create', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': 1000 } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.write('{"Image": "half'); // and nothing more
  });
  assert.equal(answer.status, 408);
  assert.match(JSON.parse(answer.body).message, /the request body did not arrive within 10 s/);
  assert.ok(Date.now() - started < 20_000);
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});
