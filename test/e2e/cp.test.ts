// Scenario tests of `berth cp` on one engine: files copied in land in every replica (or --index's), with the
// owners they have here (-a would chown to the service's user, but dockerd looks that user up on the host's passwd
// database, so it is not compared); copies out read the first container; `-` is a tar on stdin/stdout; bad input
// is one clear message.
// What landed is checked with the docker CLI, not with berth.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, succeeded, testProject } from './helpers.js';

function docker(args: readonly string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const TWO_REPLICAS = `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    deploy: { replicas: 2 }
  idle:
    image: \${IMAGE}
    profiles: [never]
`;

test('cp into a service reaches every replica with the owners it has here, -a too, and --index picks one', async (t) => {
  const project = await testProject(t, TWO_REPLICAS);
  succeeded(await project.run(['up', '-d']));
  mkdirSync(join(project.dir, 'site/sub'), { recursive: true });
  writeFileSync(join(project.dir, 'site/index.html'), 'hello\n', { mode: 0o640 });
  writeFileSync(join(project.dir, 'site/sub/deep.txt'), 'deep\n');
  symlinkSync('index.html', join(project.dir, 'site/home.html'));
  writeFileSync(join(project.dir, 'owned.txt'), 'mine\n');
  chownSync(join(project.dir, 'owned.txt'), 1234, 5678);

  succeeded(await project.run(['cp', 'site', 'web:/srv']));
  succeeded(await project.run(['cp', 'site/index.html', 'web:/tmp/renamed.html']));
  succeeded(await project.run(['cp', 'owned.txt', 'web:/tmp/kept.txt']));
  succeeded(await project.run(['cp', '-a', 'owned.txt', 'web:/tmp/']));
  succeeded(await project.run(['cp', '--index', '2', 'owned.txt', 'web:/tmp/only-two.txt']));
  for (const replica of [1, 2]) {
    const name = `${project.name}-web-${replica}`;
    const listed = docker(['exec', name, 'sh', '-c', 'cd /srv && stat -c "%n %u:%g %a" index.html sub/deep.txt && readlink home.html && cat /tmp/renamed.html && stat -c "%u:%g" /tmp/kept.txt /tmp/owned.txt']);
    assert.equal(listed, 'index.html 0:0 640\nsub/deep.txt 0:0 644\nindex.html\nhello\n1234:5678\n1234:5678\n', name);
    const onlyTwo = spawnSync('docker', ['exec', name, 'test', '-e', '/tmp/only-two.txt'], { timeout: 60_000 });
    assert.equal(onlyTwo.status, replica === 2 ? 0 : 1, `${name}: /tmp/only-two.txt only in replica 2`);
  }
});

test('cp out of a service reads its first container: a directory, its contents with /., a link followed with -L, a tar on stdout', async (t) => {
  const project = await testProject(t, TWO_REPLICAS);
  succeeded(await project.run(['up', '-d']));
  docker(['exec', `${project.name}-web-1`, 'sh', '-c', 'mkdir -p /data/sub && echo one > /data/a.txt && echo two > /data/sub/b.txt && chmod 600 /data/a.txt && ln -s a.txt /data/link && ln -s /data/a.txt /tmp/pointer']);

  succeeded(await project.run(['cp', 'web:/data', 'copy']));
  assert.equal(readFileSync(join(project.dir, 'copy/sub/b.txt'), 'utf8'), 'two\n');
  assert.equal(statSync(join(project.dir, 'copy/a.txt')).mode & 0o777, 0o600);
  assert.equal(readlinkSync(join(project.dir, 'copy/link')), 'a.txt');

  mkdirSync(join(project.dir, 'contents'));
  succeeded(await project.run(['cp', 'web:/data/.', 'contents']));
  assert.equal(readFileSync(join(project.dir, 'contents/a.txt'), 'utf8'), 'one\n');

  succeeded(await project.run(['cp', 'web:/tmp/pointer', 'as-link']));
  assert.ok(lstatSync(join(project.dir, 'as-link')).isSymbolicLink());
  succeeded(await project.run(['cp', '-L', 'web:/tmp/pointer', 'followed']));
  assert.equal(readFileSync(join(project.dir, 'followed'), 'utf8'), 'one\n');

  const tar = await project.run(['cp', 'web:/data/a.txt', '-']);
  succeeded(tar);
  assert.match(tar.stdout, /^a\.txt\0/);
  assert.match(tar.stdout, /\0one\n/);
});

test('cp - unpacks a tar from stdin into a directory of every replica, and refuses a destination that is not one', async (t) => {
  const project = await testProject(t, TWO_REPLICAS);
  succeeded(await project.run(['up', '-d']));
  mkdirSync(join(project.dir, 'in'));
  writeFileSync(join(project.dir, 'in/from-stdin.txt'), 'piped\n');
  const archive = spawnSync('tar', ['-C', join(project.dir, 'in'), '-c', 'from-stdin.txt'], { timeout: 30_000 });
  assert.equal(archive.status, 0);
  succeeded(await project.run(['cp', '-', 'web:/tmp'], { input: archive.stdout.toString('latin1') }));
  for (const replica of [1, 2]) assert.equal(docker(['exec', `${project.name}-web-${replica}`, 'cat', '/tmp/from-stdin.txt']), 'piped\n');
  const notDirectory = await project.run(['cp', '-', 'web:/etc/hostname'], { input: archive.stdout.toString('latin1') });
  assert.equal(notDirectory.code, 1);
  assert.match(notDirectory.stderr, /destination ".*web-\d:\/etc\/hostname" must be a directory/);
});

test('cp bad input: one clear message and exit 1 each', async (t) => {
  const project = await testProject(t, TWO_REPLICAS);
  succeeded(await project.run(['up', '-d']));
  const cases: Array<[string[], RegExp]> = [
    [['cp', 'missing.txt', 'web:/tmp/'], /no such file or directory: .*missing\.txt/],
    [['cp', 'web:/no/such/file', 'out'], /no such file or directory in container .*-web-1: \/no\/such\/file/],
    [['cp', 'compose.yaml', 'nosuch:/tmp/'], /no such service: nosuch/],
    [['cp', '--index', '3', 'compose.yaml', 'web:/tmp/'], /service "web" has no container #3/],
    [['cp', 'compose.yaml', 'idle:/tmp/'], /service "idle" is not enabled by the active profiles/],
    [['cp', 'compose.yaml', 'web:../../etc/x'], /the path "\.\.\/\.\.\/etc\/x" leads out of the container's root filesystem/],
    [['cp', 'compose.yaml', 'web:/no/such/dir/'], /no such directory: \/no\/such\/dir\//],
    [['cp', 'web:/etc/hostname', 'web:/tmp/x'], /copying between services is not supported/],
    [['cp', 'compose.yaml', 'elsewhere.yaml'], /unknown copy direction/],
  ];
  for (const [args, message] of cases) {
    const result = await project.run(args);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.doesNotMatch(result.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
  project.write(`
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
  later:
    image: \${IMAGE}
`);
  const noContainer = await project.run(['cp', 'compose.yaml', 'later:/tmp/']);
  assert.equal(noContainer.code, 1);
  assert.match(noContainer.stderr, /no container found for service "later"/);
});
