// Images from and to a real registry (docker-registry on loopback, seeded with skopeo): `up` pulls what is missing,
// `pull` and `push` of services with compose's flags, credentials from config.json (auths, a credential helper),
// pull_policy, and the progress compose prints. On dockerd, and again on berth's engine.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { SLEEPER, testEngine, testProject } from './helpers.js';
import type { TestProject } from './helpers.js';
import { basicAuth, dockerConfigDir, REGISTRY_PASSWORD, REGISTRY_USER, startRegistry } from './registry-helpers.js';
import type { TestRegistry } from './registry-helpers.js';

let open: TestRegistry;
let locked: TestRegistry;
before(async () => {
  [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: true })]);
});
after(async () => {
  await Promise.all([open?.stop(), locked?.stop()]);
});

/** Forgets these images on the engine under test once the test is over. */
async function forget(t: TestContext, ...references: string[]): Promise<void> {
  const engine = await testEngine();
  t.after(async () => {
    for (const reference of references) await engine.images.remove(reference, { force: true }).catch(() => {});
  });
}

async function present(reference: string): Promise<boolean> {
  const engine = await testEngine();
  return (await engine.images.inspect(reference)) !== undefined;
}

/** A project whose compose file is `compose` with REG standing for the open registry. */
async function project(t: TestContext, compose: string, registry: TestRegistry = open): Promise<TestProject> {
  const made = await testProject(t);
  made.write(compose.replaceAll('REG', `${registry.host}/${made.name}`));
  return made;
}

test('up pulls the images that are missing, with their layers on the progress output, and runs them', async (t) => {
  const p = await project(t, `
services:
  web:
    image: REG/web:1
    command: ${SLEEPER}
`);
  const reference = `${open.host}/${p.name}/web:1`;
  open.seed(`${p.name}/web:1`, 'pulled-by-up');
  await forget(t, reference);
  const result = await p.run(['--progress', 'plain', 'up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(` Image ${reference.replaceAll('.', '\\.')} +Pulling\n`));
  assert.match(result.stderr, / [0-9a-f]{12} +Pull complete\n/, 'a line per layer');
  assert.match(result.stderr, new RegExp(` Image ${reference.replaceAll('.', '\\.')} +Pulled\n`));
  const [container] = await p.containers();
  assert.equal(container?.state, 'running');
  assert.equal(container?.image, reference);
  // A second up finds it there and pulls nothing.
  const again = await p.run(['--progress', 'plain', 'up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /Pulling/);
});

test('pull and push of services: push sends what is built here under each tag; pull fetches the service images', async (t) => {
  const p = await project(t, `
services:
  app:
    image: REG/app:1
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
        RUN echo built > /built
      tags: [REG/app:extra]
  db:
    image: REG/db:1
`);
  const app = `${open.host}/${p.name}/app:1`;
  const db = `${open.host}/${p.name}/db:1`;
  open.seed(`${p.name}/db:1`, 'db');
  await forget(t, app, `${open.host}/${p.name}/app:extra`, db);
  assert.equal((await p.run(['build'])).code, 0);
  const pushed = await p.run(['--progress', 'plain', 'push']);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.deepEqual(await open.tags(`${p.name}/app`), ['1', 'extra']);
  assert.match(pushed.stderr, / db +Skipped/, 'a service that is not built here is not pushed');
  assert.match(pushed.stderr, new RegExp(` Image ${app.replaceAll('.', '\\.')} +Pushed`));

  await (await testEngine()).images.remove(app, { force: true });
  const one = await p.run(['pull', '-q', 'db']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stderr, '', '-q prints nothing');
  assert.ok(await present(db));
  assert.ok(!(await present(app)), 'naming a service pulls only that one');
  const all = await p.run(['pull']);
  assert.equal(all.code, 0, all.stderr);
  assert.ok(await present(app), 'an image that can be built is pulled too, unless --ignore-buildable');
});

test('pull --ignore-buildable skips what can be built; --policy missing skips what is there', async (t) => {
  const p = await project(t, `
services:
  app:
    image: REG/app:1
    build:
      dockerfile_inline: FROM \${IMAGE}
  db:
    image: REG/db:1
`);
  open.seed(`${p.name}/db:1`, 'db');
  await forget(t, `${open.host}/${p.name}/db:1`);
  const skipped = await p.run(['--progress', 'plain', 'pull', '--ignore-buildable']);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stderr, /app:1 +Skipped Image can be built/);
  const again = await p.run(['--progress', 'plain', 'pull', '--ignore-buildable', '--policy', 'missing']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /db:1 +Skipped Image is already present locally/);
  assert.doesNotMatch(again.stderr, /Pulling/);
  const bad = await p.run(['pull', '--policy', 'sometimes']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid --policy option "sometimes"/);
});

test('a private registry: credentials from an auths entry in DOCKER_CONFIG for pull and push', async (t) => {
  const p = await project(
    t,
    `
services:
  web:
    image: REG/web:1
  app:
    image: REG/app:1
    build:
      dockerfile_inline: FROM \${IMAGE}
`,
    locked,
  );
  const web = `${locked.host}/${p.name}/web:1`;
  locked.seed(`${p.name}/web:1`, 'private');
  await forget(t, web, `${locked.host}/${p.name}/app:1`);
  const anonymous = await p.run(['pull', 'web']);
  assert.equal(anonymous.code, 1, 'without credentials the registry refuses');
  const config = dockerConfigDir(p.dir, { auths: { [locked.host]: { auth: basicAuth(REGISTRY_USER, REGISTRY_PASSWORD) } } });
  const pulled = await p.run(['pull', 'web'], { env: { DOCKER_CONFIG: config } });
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.ok(await present(web));
  assert.equal((await p.run(['build', 'app'])).code, 0);
  const pushed = await p.run(['push', 'app'], { env: { DOCKER_CONFIG: config } });
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.deepEqual(await locked.tags(`${p.name}/app`), ['1']);
});

test('a private registry: credentials from a docker-credential helper named in credHelpers', async (t) => {
  const p = await project(t, `services:\n  web:\n    image: REG/web:1\n`, locked);
  const web = `${locked.host}/${p.name}/web:1`;
  locked.seed(`${p.name}/web:1`, 'helper');
  await forget(t, web);
  const bin = join(p.dir, 'bin');
  mkdirSync(bin);
  const asked = join(p.dir, 'asked');
  // The helper protocol: `get`, the server URL on stdin, JSON on stdout; "not found" for any other server.
  writeFileSync(
    join(bin, 'docker-credential-berthtest'),
    `#!/bin/sh
read -r server
echo "$1 $server" >> ${asked}
if [ "$server" = "${locked.host}" ]; then
  printf '{"ServerURL":"%s","Username":"${REGISTRY_USER}","Secret":"${REGISTRY_PASSWORD}"}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
`,
  );
  chmodSync(join(bin, 'docker-credential-berthtest'), 0o755);
  const config = dockerConfigDir(p.dir, { credHelpers: { [locked.host]: 'berthtest' }, auths: { [locked.host]: { auth: basicAuth('wrong', 'wrong') } } });
  const result = await p.run(['pull'], { env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(await present(web));
  assert.equal(readFileSync(asked, 'utf8'), `get ${locked.host}\n`, 'the helper was asked for this registry, and its answer beat the auths entry');
});

test('a build FROM an image in a private registry gets the credentials for it (X-Registry-Config)', async (t) => {
  const p = await project(
    t,
    `
services:
  app:
    build:
      dockerfile_inline: |
        FROM REG/base:1
        RUN cat /marker > /copied
`,
    locked,
  );
  const base = `${locked.host}/${p.name}/base:1`;
  locked.seed(`${p.name}/base:1`, 'base-of-a-build');
  await forget(t, base, `${p.name}-app`);
  const anonymous = await p.run(['build']);
  assert.equal(anonymous.code, 1, 'without credentials the registry refuses the FROM');
  const config = dockerConfigDir(p.dir, { auths: { [locked.host]: { auth: basicAuth(REGISTRY_USER, REGISTRY_PASSWORD) } } });
  const built = await p.run(['build'], { env: { DOCKER_CONFIG: config } });
  assert.equal(built.code, 0, built.stderr);
  assert.ok(await present(`${p.name}-app`));
});

test('a wrong password: the registry says so, named, and pull exits 1 as compose does', async (t) => {
  const p = await project(t, `services:\n  web:\n    image: REG/web:1\n`, locked);
  locked.seed(`${p.name}/web:1`, 'refused');
  await forget(t, `${locked.host}/${p.name}/web:1`);
  const config = dockerConfigDir(p.dir, { auths: { [locked.host]: { auth: basicAuth(REGISTRY_USER, 'not-the-password') } } });
  const result = await p.run(['pull'], { env: { DOCKER_CONFIG: config } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^service web: pull failed: .*(unauthorized|authentication required|401)/im);
  assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
  const up = await p.run(['up', '-d'], { env: { DOCKER_CONFIG: config } });
  assert.equal(up.code, 1);
  assert.deepEqual(await p.containers(), [], 'nothing was created');
});

test('a push the registry refuses (no credentials, a wrong password) fails with the registry\'s words and exit 1', async (t) => {
  const p = await project(t, `services:\n  app:\n    image: REG/app:1\n    build:\n      dockerfile_inline: FROM \${IMAGE}\n`, locked);
  await forget(t, `${locked.host}/${p.name}/app:1`);
  assert.equal((await p.run(['build', 'app'])).code, 0);
  const anonymous = await p.run(['push', 'app'], { env: { DOCKER_CONFIG: dockerConfigDir(p.dir, {}) } });
  assert.equal(anonymous.code, 1);
  assert.match(anonymous.stderr, /no basic auth credentials/);
  const config = dockerConfigDir(p.dir, { auths: { [locked.host]: { auth: basicAuth(REGISTRY_USER, 'not-the-password') } } });
  const wrong = await p.run(['push', 'app'], { env: { DOCKER_CONFIG: config } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /unauthorized: authentication required/);
  assert.doesNotMatch(wrong.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.deepEqual(await locked.tags(`${p.name}/app`), []);
});

test('--ignore-pull-failures pulls what it can and exits 0; without it the missing image fails the pull', async (t) => {
  const p = await project(t, `
services:
  good:
    image: REG/good:1
  gone:
    image: REG/gone:1
`);
  const good = `${open.host}/${p.name}/good:1`;
  open.seed(`${p.name}/good:1`, 'good');
  await forget(t, good);
  const ignored = await p.run(['pull', '--ignore-pull-failures']);
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.ok(await present(good));
  const failed = await p.run(['pull', 'gone']);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /^service gone: pull failed: .*(not found|unknown)/im);
});

test('a digest reference is pulled by its digest and run', async (t) => {
  const p = await testProject(t);
  const digest = open.seed(`${p.name}/web:1`, 'by-digest');
  const reference = `${open.host}/${p.name}/web@${digest}`;
  p.write(`services:\n  web:\n    image: ${reference}\n    command: ["cat", "/marker"]\n`);
  await forget(t, reference);
  const result = await p.run(['up']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /by-digest/);
  assert.ok(await present(reference));
});

test('pull_policy: never with the image missing: up fails with No such image and creates nothing', async (t) => {
  const p = await project(t, `services:\n  web:\n    image: REG/never:1\n    pull_policy: never\n`);
  const result = await p.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`service web: No such image: ${open.host.replaceAll('.', '\\.')}/${p.name}/never:1`));
  assert.deepEqual(await p.containers(), []);
  assert.equal(await open.tags(`${p.name}/never`).then((tags) => tags.length), 0);
});

test('pull_policy: build builds on every up and never asks the registry', async (t) => {
  const p = await project(t, `
services:
  app:
    image: REG/built:1
    pull_policy: build
    command: ["cat", "/built"]
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
        RUN echo from-the-build > /built
`);
  const reference = `${open.host}/${p.name}/built:1`;
  // The registry holds something else under that name: it must not be pulled.
  open.seed(`${p.name}/built:1`, 'from-the-registry');
  await forget(t, reference);
  const first = await p.run(['--progress', 'plain', 'up']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /from-the-build/);
  assert.doesNotMatch(first.stderr, /Pulling/);
  const second = await p.run(['--progress', 'plain', 'up', '-d']);
  assert.match(second.stderr, /Building/, 'built again');
  const dry = await p.run(['--dry-run', 'up']);
  assert.match(dry.stdout, new RegExp(`build image ${reference.replaceAll('.', '\\.')} for service app`));
});

test('an image with a build section that the registry does not have is built after the failed pull (a warning)', async (t) => {
  const p = await project(t, `
services:
  app:
    image: REG/fallback:1
    command: ["cat", "/built"]
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
        RUN echo built-after-the-pull > /built
`);
  const reference = `${open.host}/${p.name}/fallback:1`;
  await forget(t, reference);
  const first = await p.run(['--progress', 'plain', 'up']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, new RegExp(` Image ${reference.replaceAll('.', '\\.')} +Pulling\n(.*\n)* Image ${reference.replaceAll('.', '\\.')} +Warning .*\n(.*\n)* Image ${reference.replaceAll('.', '\\.')} +Built`));
  assert.match(first.stdout, /built-after-the-pull/);
  // --pull always on an image the engine has and the registry has not: a warning, and the engine's copy is used.
  const again = await p.run(['--progress', 'plain', 'up', '-d', '--pull', 'always']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Warning/);
  assert.doesNotMatch(again.stderr, /Building/);
});

test('json progress: a line per event, layers with their image as parent_id', async (t) => {
  const p = await project(t, `services:\n  web:\n    image: REG/web:1\n`);
  const reference = `${open.host}/${p.name}/web:1`;
  open.seed(`${p.name}/web:1`, 'json');
  await forget(t, reference);
  const result = await p.run(['--progress', 'json', 'pull']);
  assert.equal(result.code, 0, result.stderr);
  const events = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { id: string; status: string; parent_id?: string });
  assert.deepEqual(events[0], { id: `Image ${reference}`, status: 'Pulling' });
  assert.deepEqual(events.at(-1), { id: `Image ${reference}`, status: 'Pulled' });
  const layers = events.filter((event) => event.parent_id === `Image ${reference}`);
  assert.equal(new Set(layers.map((event) => event.id)).size, 2, 'both layers');
  assert.ok(layers.some((event) => event.status === 'Pull complete'));
});
