// berth's engine checks what image, registry-login, event, content and attach requests carry at its door, as it
// does for containers: a wrong type or an oversized value is a 400 naming the parameter, parameters it does not
// read are ignored (as dockerd ignores them), and nothing is ever a 500. Nothing here reaches a registry.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { tarArchive } from '../../src/apply/build/tar.js';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
let container: string;
before(async () => {
  // Streamed uploads are abandoned after 2 s of silence here (60 s by default).
  engine = await startTestEngine({ env: { ...process.env, BERTH_ENGINE_UPLOAD_IDLE_SECONDS: '2' } });
  container = engine.docker(['run', '-d', '--network', 'none', IMAGE, 'sleep', '120']).stdout.trim();
});
after(async () => {
  await engine?.stop();
});

/** One request, answered within 10 s (or status 0). */
function send(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const headers = body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
    const req = request({ socketPath: engine.socket, method, path, headers, agent: false, timeout: 10_000 }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

/** Writes `data` on a fresh connection and gives back all the engine answers before it closes (or after `ms`). */
function exchange(data: ReadonlyArray<string | Buffer>, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(engine.socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => resolve(text));
    const limit = setTimeout(() => socket.destroy(), ms);
    socket.on('close', () => {
      clearTimeout(limit);
      resolve(text);
    });
    for (const piece of data) socket.write(piece);
  });
}

const long = (n: number): string => 'a'.repeat(n);

async function refused(method: string, path: string, field: RegExp, body?: string): Promise<void> {
  const answer = await send(method, path, body);
  assert.equal(answer.status, 400, `${method} ${path.slice(0, 120)}: ${answer.status} ${answer.body.slice(0, 200)}`);
  assert.match(answer.body, field, `${method} ${path.slice(0, 120)}`);
}

test('image routes: oversized or malformed parameters are a 400 naming them', async () => {
  await refused('POST', `/images/create?fromImage=${long(600)}`, /fromImage/);
  await refused('POST', '/images/create?fromImage=busybox%00x', /fromImage.*NUL/);
  await refused('POST', `/images/create?fromImage=busybox&tag=${long(300)}`, /tag/);
  await refused('POST', '/images/create?bogus=1', /fromImage or fromSrc is required/);
  await refused('GET', '/images/json?filters=[1]', /filters/);
  await refused('GET', '/images/json?filters=%7B%22label%22%3A5%7D', /filters\.label/);
  await refused('GET', '/images/json?filters=nope', /filters/);
  await refused('POST', `/images/${IMAGE}/push?tag=${long(300)}`, /tag/);
  await refused('POST', `/images/${IMAGE}/tag?repo=${long(600)}`, /repo/);
  await refused('GET', `/images/get?names=${long(600)}`, /names/);
  await refused('POST', '/images/prune?filters=%7B%22until%22%3A%7B%7D%7D%5B', /filters/);
  // Parameters the engine does not read are ignored; the route answers as it would without them.
  assert.equal((await send('GET', '/images/json?bogus=%5B&all=1')).status, 200);
  assert.equal((await send('DELETE', '/images/no-such-image:1?force=1&bogus=2')).status, 404);
});

test('POST /auth: its body is checked at the door (types, size), before any registry is asked', async () => {
  await refused('POST', '/auth', /username/, JSON.stringify({ username: 5, password: 'x' }));
  await refused('POST', '/auth', /expected object|object/, '[]');
  await refused('POST', '/auth', /serveraddress/, JSON.stringify({ username: 'u', password: 'p', serveraddress: long(5000) }));
  await refused('POST', '/auth', /username and password/, JSON.stringify({ bogus: 1 }));
  await refused('POST', '/auth', /username and password/);
  // A body announced larger than the route takes is refused before it is read (the client is still sending it).
  const huge = await exchange([`POST /auth HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"username":"u","password":"`]);
  assert.match(huge, /^HTTP\/1\.1 413/);
});

test('events: since and until are Unix times, filters an object; a far until is not reached at once', async () => {
  await refused('GET', '/events?since=yesterday', /since/);
  await refused('GET', '/events?until=1e400', /until/);
  await refused('GET', '/events?filters=%7B%22type%22%3A5%7D', /filters\.type/);
  const past = await send('GET', `/events?since=0&until=${Math.floor(Date.now() / 1000) - 1}&bogus=1`);
  assert.equal(past.status, 200);
  // An until beyond what a timer can wait must not end the stream at once (node fires such a timer immediately).
  const far = await new Promise<boolean>((resolve) => {
    const req = request({ socketPath: engine.socket, method: 'GET', path: '/events?until=999999999999', agent: false }, (response) => {
      const timer = setTimeout(() => {
        req.destroy();
        resolve(true);
      }, 1000);
      response.on('end', () => {
        clearTimeout(timer);
        resolve(false);
      });
      response.resume();
    });
    req.on('error', () => {});
    req.end();
  });
  assert.equal(far, true, 'the stream ended at once');
});

test('content routes: archive paths, top arguments, commit names are bounded; attach keys checked', async () => {
  await refused('GET', `/containers/${container}/archive?path=${long(5000)}`, /path/);
  await refused('HEAD', `/containers/${container}/archive?path=%00`, /^/); // a HEAD answer has no body
  await refused('PUT', `/containers/${container}/archive?path=${long(5000)}`, /path/, '');
  await refused('GET', `/containers/${container}/top?ps_args=${long(300)}`, /ps_args/);
  await refused('POST', `/commit?container=${long(300)}`, /container/);
  await refused('POST', `/commit?container=${container}&author=${long(2000)}`, /author/);
  await refused('POST', `/containers/${container}/attach?detachKeys=${long(300)}`, /detachKeys/);
  assert.equal((await send('GET', `/containers/${container}/stats?stream=0&bogus=1`)).status, 200);
  // The upgraded attach reads the same description.
  const answer = await exchange([`POST /containers/${container}/attach?stream=1&stdout=1&detachKeys=${long(300)} HTTP/1.1\r\nHost: engine\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`]);
  assert.match(answer, /^HTTP\/1\.1 400[\s\S]*detachKeys/);
  assert.equal((await send('GET', '/_ping')).status, 200);
});

test('a streamed upload whose client falls silent is abandoned with a 408, and the engine keeps serving', async () => {
  const archive = tarArchive([{ path: 'Dockerfile', type: 'file', mode: 0o644, content: Buffer.alloc(1024 * 1024, 0x23) }]);
  for (const [method, path] of [
    ['POST', '/images/load'],
    ['POST', '/images/create?fromSrc=-&repo=silent:1'],
    ['PUT', `/containers/${container}/archive?path=/tmp`],
    ['POST', '/build?t=silent:1'],
  ] as const) {
    const started = Date.now();
    // A tar's first entry header and the start of its content, then nothing more of what was announced.
    const answer = await exchange([`${method} ${path} HTTP/1.1\r\nHost: engine\r\nContent-Type: application/x-tar\r\nContent-Length: ${archive.length}\r\n\r\n`, archive.subarray(0, 1024)], 15_000);
    // A build answers at once (its output streams), so the connection alone can tell it was let go.
    if (!path.startsWith('/build')) assert.match(answer, /^HTTP\/1\.1 408[\s\S]*upload abandoned/, `${method} ${path}: ${answer.slice(0, 200)}`);
    assert.ok(Date.now() - started < 14_000, `${method} ${path}: let go only when the test gave up`);
    assert.equal((await send('GET', '/_ping')).status, 200);
  }
});
