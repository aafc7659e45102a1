// berth as a docker CLI plugin, through the stock docker CLI: `docker berth ...`, and `docker compose ...` once
// installed --as compose (a docker-compose plugin that was there is moved aside and put back by uninstall).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, berth, testProject } from './helpers.js';
import type { RunResult } from './helpers.js';

/** The stock docker CLI, reading its plugins from `config`. */
function docker(args: readonly string[], cwd: string, config: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd, env: { ...process.env, DOCKER_CONFIG: config, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Never a hang: a docker call that has not ended in two minutes is killed and fails the test.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function dockerConfig(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-plugin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'not-yet', '.docker');
}

test('plugin install creates the docker config directory and `docker berth` runs berth', async (t) => {
  const config = dockerConfig(t);
  const installed = await berth(['plugin', 'install'], { cwd: tmpdir(), env: { DOCKER_CONFIG: config } });
  assert.equal(installed.code, 0, installed.stderr);
  assert.ok(existsSync(join(config, 'cli-plugins', 'docker-berth')));
  const version = await docker(['berth', 'version'], tmpdir(), config);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^berth version v\d+\.\d+\.\d+\n$/);
  assert.match((await docker(['--help'], tmpdir(), config)).stdout, /^\s+berth\*?\s+berth: Compose-style stacks/m);
});

test('with --as compose, `docker compose` runs berth, and uninstall puts the previous plugin back', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const config = dockerConfig(t);
  const plugins = join(config, 'cli-plugins');
  mkdirSync(plugins, { recursive: true });
  const original = '#!/bin/sh\nif [ "$1" = docker-cli-plugin-metadata ]; then echo \'{"SchemaVersion":"0.1.0","Vendor":"someone","Version":"9.9.9"}\'; exit 0; fi\necho the original compose\n';
  writeFileSync(join(plugins, 'docker-compose'), original);
  chmodSync(join(plugins, 'docker-compose'), 0o755);

  const installed = await berth(['plugin', 'install', '--as', 'compose'], { cwd: project.dir, env: { DOCKER_CONFIG: config } });
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /moved .*docker-compose aside/);
  const up = await docker(['compose', 'up', '-d'], project.dir, config);
  assert.equal(up.code, 0, up.stderr);
  const [web] = await project.containers();
  assert.equal(web?.state, 'running');
  assert.equal(web?.labels['com.docker.compose.project'], project.name);
  const down = await docker(['compose', '--progress', 'quiet', 'down'], project.dir, config);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await project.containers(), []);

  const removed = await berth(['plugin', 'uninstall'], { cwd: project.dir, env: { DOCKER_CONFIG: config } });
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(readFileSync(join(plugins, 'docker-compose'), 'utf8'), original);
  assert.equal((await docker(['compose'], project.dir, config)).stdout, 'the original compose\n');
});
