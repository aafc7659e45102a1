// Engine API answers a client sees the same from dockerd and from berth's engine: status, message and stream lines,
// asked over the raw API (a client other than the docker CLI sends what the CLI never would). The test engine is the
// one DOCKER_HOST names, or dockerd's default socket.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { ensureTestImage, IMAGE } from './helpers.js';

const SOCKET = /^unix:\/\/(.+)$/.exec(process.env.DOCKER_HOST ?? '')?.[1] ?? '/var/run/docker.sock';
const TIMEOUT_MS = 30_000;

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** One request on a fresh connection; the whole answer, or a failure after TIMEOUT_MS. */
function api(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}) };
    const req = request({ socketPath: SOCKET, method, path: `/v1.41${path}`, headers, agent: false, timeout: TIMEOUT_MS }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JSON answer's body. */
function json<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T;
}

/** A container of `command` (no network), removed after the test; its id. */
async function container(t: TestContext, name: string, command: readonly string[]): Promise<string> {
  await ensureTestImage();
  const created = await api('POST', `/containers/create?name=${name}`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Image: IMAGE, Cmd: command, HostConfig: { NetworkMode: 'none' } }) });
  assert.equal(created.status, 201, created.text);
  t.after(() => api('DELETE', `/containers/${name}?force=true`));
  return json<{ Id: string }>(created).Id;
}

/** An exec create of `true` in the container. */
function execCreate(id: string): Promise<Answer> {
  return api('POST', `/containers/${id}/exec`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Cmd: ['true'], AttachStdout: true, AttachStderr: true }) });
}

/** A JSON error answer's message. */
function message(answer: Answer): string {
  return (JSON.parse(answer.text) as { message: string }).message;
}

/** The objects of a JSON-lines stream. */
function lines(answer: Answer): Array<Record<string, unknown>> {
  return answer.text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('a push without X-Registry-Auth and without credentials in the body is refused with a 400, as dockerd does', async () => {
  // An image nobody has, in a registry on a closed loopback port: the refusal comes before either is looked at.
  const name = `localhost:1/berth-push-credentials-${process.pid}`;
  const path = `/images/${name}/push?tag=latest`;
  const expected = 'Bad parameters and missing X-Registry-Auth: EOF';

  const bare = await api('POST', path);
  assert.equal(bare.status, 400, bare.text);
  assert.equal(message(bare), expected);
  const blank = await api('POST', path, { headers: { 'X-Registry-Auth': '' } });
  assert.equal(blank.status, 400, blank.text);
  assert.equal(message(blank), expected);
  const malformed = await api('POST', path, { headers: { 'Content-Type': 'application/json' }, body: '[]' });
  assert.equal(malformed.status, 400, malformed.text);

  // With credentials (empty ones: anonymous) in the header, or in the body as older clients send them, the push
  // starts, and the image it does not find is an error line in the stream.
  const notFound = [{ status: `The push refers to repository [${name}]` }, { errorDetail: { message: `An image does not exist locally with the tag: ${name}` }, error: `An image does not exist locally with the tag: ${name}` }];
  const inHeader = await api('POST', path, { headers: { 'X-Registry-Auth': Buffer.from('{}').toString('base64') } });
  assert.equal(inHeader.status, 200, inHeader.text);
  assert.deepEqual(lines(inHeader), notFound);
  const inBody = await api('POST', path, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(inBody.status, 200, inBody.text);
  assert.deepEqual(lines(inBody), notFound);
});

test('an exec into a container whose process has exited is refused with a 409 in dockerd\'s words, the moment its wait has answered', async (t) => {
  // No timing here: the wait endpoint says when the process is gone; from then on the engine must know it too. A few
  // rounds, as the engine's side of that moment (the exit seen, the record written) is not the same every time.
  const name = `berth-exec-exited-${process.pid}`;
  for (const round of [1, 2, 3]) {
    const id = await container(t, `${name}-${round}`, ['true']);
    const started = await api('POST', `/containers/${id}/start`);
    assert.equal(started.status, 204, started.text);
    const waited = await api('POST', `/containers/${id}/wait?condition=not-running`);
    assert.equal(waited.status, 200, waited.text);
    assert.equal(json<{ StatusCode: number }>(waited).StatusCode, 0);
    const exec = await execCreate(id);
    assert.equal(exec.status, 409, `round ${round}: ${exec.text}`);
    assert.equal(message(exec), `Container ${id} is not running`);
  }

  // The same for one that was never started.
  const never = await container(t, `${name}-never`, ['true']);
  const notStarted = await execCreate(never);
  assert.equal(notStarted.status, 409, notStarted.text);
  assert.equal(message(notStarted), `Container ${never} is not running`);
});

test('an exec made while its container ran, and never started, is gone once the container has stopped (404), as in dockerd', async (t) => {
  const id = await container(t, `berth-exec-pending-${process.pid}`, ['sleep', '60']);
  assert.equal((await api('POST', `/containers/${id}/start`)).status, 204);
  const created = await execCreate(id);
  assert.equal(created.status, 201, created.text);
  const { Id: exec } = json<{ Id: string }>(created);
  assert.equal((await api('POST', `/containers/${id}/kill`)).status, 204);
  const waited = await api('POST', `/containers/${id}/wait?condition=not-running`);
  assert.equal(waited.status, 200, waited.text);
  const started = await api('POST', `/exec/${exec}/start`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Detach: true }) });
  assert.deepEqual([started.status, message(started)], [404, `No such exec instance: ${exec}`]);
  const inspected = await api('GET', `/exec/${exec}/json`);
  assert.deepEqual([inspected.status, message(inspected)], [404, `No such exec instance: ${exec}`]);
});
