// Many projects at once on one berth engine: twenty compose projects brought up and down side by side (ten at a
// time), each on its own network and all on one shared network. No address is given twice on a network, every
// project's names resolve on its own network (to its own containers only), and afterwards nothing is left on the
// host: containers, networks, bridges, namespaces (and the veths in them), mounts, packet filter rules.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { engineTag } from '../../src/engine/services/networks.js';
import { askUdp } from './dns-wire.js';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { berth, IMAGE, SLEEPER } from './helpers.js';

const PROJECTS = 20;
const AT_ONCE = 10;

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});


function docker(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return engine.docker(args);
}

/**
 * The docker CLI without blocking this process: while one project waits for a DNS answer, another inspects its
 * containers (a blocked event loop would see the answer only after its time limit).
 */
function dockerAsync(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', engine.host, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(`docker ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

/** Runs `work` on every item, at most `limit` at a time; every failure is reported, not only the first. */
async function eachAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item).catch((error: unknown) => failures.push(error));
    }),
  );
  if (failures.length > 0) throw failures[0];
}

interface Endpoint {
  readonly IPAddress: string;
  readonly Gateway: string;
}

async function inspect(container: string): Promise<{ Id: string; NetworkSettings: { Networks: Record<string, Endpoint> } }> {
  return (JSON.parse(await dockerAsync('inspect', container)) as Array<{ Id: string; NetworkSettings: { Networks: Record<string, Endpoint> } }>)[0]!;
}

/** The addresses of every container on the network right now (what `network inspect` lists). */
async function addressesOn(network: string): Promise<string[]> {
  const listed = JSON.parse(await dockerAsync('network', 'inspect', '-f', '{{json .Containers}}', network)) as Record<string, { IPv4Address: string }>;
  return Object.values(listed).map((entry) => entry.IPv4Address.split('/')[0]!);
}

test(`${PROJECTS} projects brought up and down at once: distinct addresses, names resolved per network, nothing left behind`, async () => {
  const shared = `many-shared-${randomBytes(3).toString('hex')}`;
  assert.equal(docker('network', 'create', shared).code, 0);
  const prefix = `many${randomBytes(2).toString('hex')}`;
  const projects = Array.from({ length: PROJECTS }, (_, index) => `${prefix}-${index}`);
  const dirs: string[] = [];
  const containerIds: string[] = [];
  const bridges: string[] = [];
  try {
    await eachAtMost(projects, AT_ONCE, async (project) => {
      const dir = mkdtempSync(join(tmpdir(), `berth-${project}-`));
      dirs.push(dir);
      const service = `    image: ${IMAGE}\n    command: ${SLEEPER}\n    networks: [default, shared]\n`;
      writeFileSync(join(dir, 'compose.yaml'), `name: ${project}\nservices:\n  a:\n${service}  b:\n${service}networks:\n  shared:\n    external: true\n    name: ${shared}\n`);
      const env = { DOCKER_HOST: engine.host };
      const up = await berth(['up', '-d'], { cwd: dir, env });
      assert.equal(up.code, 0, `${project} up: ${up.stderr}`);

      const own = `${project}_default`;
      const [first, second] = await Promise.all([inspect(`${project}-a-1`), inspect(`${project}-b-1`)]);
      const [a, b] = [first.NetworkSettings.Networks, second.NetworkSettings.Networks];
      containerIds.push(first.Id, second.Id);
      bridges.push(`br-${(await dockerAsync('network', 'inspect', '-f', '{{.Id}}', own)).trim().slice(0, 12)}`);
      // Names on the project's network: its own containers, nobody else's.
      const gateway = a[own]!.Gateway;
      assert.deepEqual((await askUdp(gateway, 'a')).addresses, [a[own]!.IPAddress], `${project}: a`);
      assert.deepEqual((await askUdp(gateway, 'b')).addresses, [b[own]!.IPAddress], `${project}: b`);
      assert.deepEqual((await askUdp(a[shared]!.Gateway, `${project}-b-1`)).addresses, [b[shared]!.IPAddress], `${project}: its container on the shared network`);
      const onShared = await addressesOn(shared);
      assert.equal(new Set(onShared).size, onShared.length, `no address twice on the shared network: ${onShared.sort().join(' ')}`);

      const down = await berth(['down'], { cwd: dir, env });
      assert.equal(down.code, 0, `${project} down: ${down.stderr}`);
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  assert.equal(docker('ps', '-aq').stdout.trim(), '', 'no container left');
  assert.deepEqual(docker('network', 'ls', '--format', '{{.Name}}').stdout.trim().split('\n').sort(), ['bridge', 'host', 'none', shared].sort());
  assert.deepEqual(await addressesOn(shared), []);
  assert.equal(docker('network', 'rm', shared).code, 0);
  for (const bridge of bridges) assert.ok(!existsSync(`/sys/class/net/${bridge}`), `bridge ${bridge} is gone`);
  const tag = engineTag(engine.root);
  const marked = readdirSync('/sys/class/net').filter((name) => {
    try {
      return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').startsWith(`${tag}:`);
    } catch {
      return false;
    }
  });
  assert.equal(marked.length, 1, `only the default bridge is left: ${marked.join(' ')}`);
  assert.equal(readdirSync(`/sys/class/net/${marked[0]}/brif`).length, 0, 'no veth on it');
  for (const id of containerIds) assert.ok(!existsSync(`/run/netns/berth-${id.slice(0, 12)}`), `the namespace of ${id.slice(0, 12)} (and its veths) is gone`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.split(' ')[4]?.startsWith(engine.root));
  assert.deepEqual(mounts, [], 'nothing mounted under the engine root');
  const rules = spawnSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' }).stdout;
  assert.doesNotMatch(rules, new RegExp(`${prefix}|${shared}`), 'no rule of the projects\' networks');
  assert.match(rules, /network bridge/, "the default bridge's rules stay");
});
