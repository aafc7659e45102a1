import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../model/errors.js';
import { DISK } from '../model/files.js';
import { loadFromFiles } from '../model/load-passes.js';
import { bindProject } from '../model/types.js';
import type { Project } from '../model/types.js';
import { toSwarmStack } from './convert.js';
import type { SwarmStack } from './convert.js';
import { DEPLOY_KEYS, SERVICE_KEYS } from './keys.js';

/** Loads `compose` as the stack `shop` (files beside it from `files`), through the real loader. */
function load(compose: string, files: Record<string, string> = {}, environment: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'berth-swarm-'));
  try {
    writeFileSync(join(dir, 'compose.yaml'), compose);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return bindProject(loadFromFiles({ cwd: dir, environment, files: [join(dir, 'compose.yaml')], projectName: 'shop', warn: () => {} }, DISK));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const contents: Record<string, string> = { '/data/s1.txt': 'secret one\n' };
const convert = (project: Project): SwarmStack =>
  toSwarmStack(project, {
    readFile: (path) => {
      const text = contents[path] ?? Object.entries(contents).find(([name]) => path.endsWith(name.slice(name.lastIndexOf('/'))))?.[1];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return Buffer.from(text);
    },
  });

const spec = (stack: SwarmStack, key: string) => stack.services.find((service) => service.key === key)!.spec;
const container = (stack: SwarmStack, key: string) => spec(stack, key).TaskTemplate.ContainerSpec as Record<string, unknown>;

test('a service becomes <stack>_<service> with the stack labels docker stack deploy sets, on <stack>_default', () => {
  const stack = convert(load('services:\n  web:\n    image: registry.test/web:1\n    command: [sleep, "60"]\n    environment: {B: "2", A: "1"}\n    labels: {tier: front}\n'));
  assert.deepEqual(spec(stack, 'web'), {
    Name: 'shop_web',
    Labels: { 'com.docker.stack.image': 'registry.test/web:1', 'com.docker.stack.namespace': 'shop' },
    TaskTemplate: {
      ContainerSpec: { Image: 'registry.test/web:1', Labels: { tier: 'front', 'com.docker.stack.namespace': 'shop' }, Args: ['sleep', '60'], Env: ['A=1', 'B=2'] },
      Networks: [{ Target: 'shop_default', Aliases: ['web'] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
  });
  assert.deepEqual(stack.networks, [
    { key: 'default', name: 'shop_default', external: false, create: { Name: 'shop_default', Driver: 'overlay', Labels: { 'com.docker.stack.namespace': 'shop' } } },
  ]);
  assert.deepEqual(stack.warnings, []);
});

test('deploy: mode, replicas, resources, restart policy, update and rollback configs, placement, endpoint', () => {
  const stack = convert(
    load(`services:
  web:
    image: web:1
    ports: ["8080:80", {target: 81, published: 8081, mode: host, protocol: udp}]
    deploy:
      replicas: 3
      labels: {owner: team}
      resources:
        limits: {cpus: '0.5', memory: 50M, pids: 10}
        reservations: {cpus: '0.25', memory: 20M}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}
      update_config: {parallelism: 2, delay: 10s, order: start-first, failure_action: rollback, monitor: 1m, max_failure_ratio: 0.1}
      rollback_config: {parallelism: 0}
      placement:
        constraints: [node.role == manager]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 1
      endpoint_mode: vip
  agent: {image: agent:1, deploy: {mode: global}, restart: unless-stopped}
  once: {image: job:1, deploy: {mode: replicated-job, replicas: 2}, restart: "on-failure:4"}
  everywhere: {image: job:1, deploy: {mode: global-job}, restart: "no"}
  scaled: {image: web:1, scale: 2}
`),
  );
  const web = spec(stack, 'web');
  assert.deepEqual(web.Labels, { owner: 'team', 'com.docker.stack.image': 'web:1', 'com.docker.stack.namespace': 'shop' });
  assert.deepEqual(web.Mode, { Replicated: { Replicas: 3 } });
  assert.deepEqual(web.TaskTemplate.Resources, { Limits: { NanoCPUs: 500_000_000, MemoryBytes: 52_428_800, Pids: 10 }, Reservations: { NanoCPUs: 250_000_000, MemoryBytes: 20_971_520 } });
  assert.deepEqual(web.TaskTemplate.RestartPolicy, { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 120e9 });
  assert.deepEqual(web.UpdateConfig, { Parallelism: 2, Delay: 10e9, FailureAction: 'rollback', Monitor: 60e9, MaxFailureRatio: 0.1, Order: 'start-first' });
  assert.deepEqual(web.RollbackConfig, { Parallelism: 0 });
  assert.deepEqual(web.TaskTemplate.Placement, { Constraints: ['node.role == manager'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 1 });
  assert.deepEqual(web.EndpointSpec, {
    Mode: 'vip',
    Ports: [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'udp', TargetPort: 81, PublishedPort: 8081, PublishMode: 'host' },
    ],
  });
  assert.deepEqual(spec(stack, 'agent').Mode, { Global: {} });
  assert.deepEqual(spec(stack, 'agent').TaskTemplate.RestartPolicy, { Condition: 'any' });
  assert.deepEqual(spec(stack, 'once').Mode, { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } });
  assert.deepEqual(spec(stack, 'once').TaskTemplate.RestartPolicy, { Condition: 'on-failure', MaxAttempts: 4 });
  assert.deepEqual(spec(stack, 'everywhere').Mode, { GlobalJob: {} });
  assert.deepEqual(spec(stack, 'everywhere').TaskTemplate.RestartPolicy, { Condition: 'none' });
  assert.deepEqual(spec(stack, 'scaled').Mode, { Replicated: { Replicas: 2 } });
});

test('container settings: entrypoint, healthcheck, ulimits, hosts, dns, stop, user, mounts, logging', () => {
  const stack = convert(
    load(`services:
  web:
    image: web:1
    entrypoint: [/bin/sh, -c]
    working_dir: /srv
    user: "1000:1000"
    hostname: w
    stop_grace_period: 3s
    stop_signal: SIGINT
    read_only: true
    init: true
    cap_add: [NET_ADMIN]
    healthcheck: {test: [CMD, "true"], interval: 10s, timeout: 3s, retries: 2}
    ulimits: {nofile: {soft: 100, hard: 200}, nproc: 50}
    extra_hosts: ["db.local:10.0.0.5"]
    dns: [1.1.1.1]
    logging: {driver: json-file, options: {max-size: 1m}}
    volumes: [data:/data, {type: tmpfs, target: /t, tmpfs: {size: 1m}}]
volumes:
  data: {labels: {keep: "yes"}}
`),
  );
  const web = container(stack, 'web');
  assert.deepEqual(web.Command, ['/bin/sh', '-c']);
  assert.equal(web.Dir, '/srv');
  assert.equal(web.User, '1000:1000');
  assert.equal(web.Hostname, 'w');
  assert.equal(web.StopGracePeriod, 3e9);
  assert.equal(web.StopSignal, 'SIGINT');
  assert.equal(web.ReadOnly, true);
  assert.equal(web.Init, true);
  assert.deepEqual(web.CapabilityAdd, ['NET_ADMIN']);
  assert.deepEqual(web.Healthcheck, { Test: ['CMD', 'true'], Interval: 10e9, Timeout: 3e9, Retries: 2 });
  assert.deepEqual(web.Ulimits, [
    { Name: 'nofile', Soft: 100, Hard: 200 },
    { Name: 'nproc', Soft: 50, Hard: 50 },
  ]);
  assert.deepEqual(web.Hosts, ['10.0.0.5 db.local']);
  assert.deepEqual(web.DNSConfig, { Nameservers: ['1.1.1.1'] });
  assert.deepEqual(web.Mounts, [
    { Type: 'volume', Source: 'shop_data', Target: '/data', VolumeOptions: { Labels: { keep: 'yes', 'com.docker.stack.namespace': 'shop' } } },
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1_048_576 } },
  ]);
  assert.deepEqual(spec(stack, 'web').TaskTemplate.LogDriver, { Name: 'json-file', Options: { 'max-size': '1m' } });
});

test('secrets and configs become swarm objects whose names carry a hash of their content', () => {
  const compose = (content: string) => `services:
  web:
    image: web:1
    secrets: [s1, {source: token, target: api-token, uid: "100", mode: 0400}]
    configs: [c1, {source: c2, target: /etc/c2.conf}]
secrets:
  s1: {file: ./s1.txt}
  token: {environment: TOKEN}
  unused: {environment: NOPE}
configs:
  c1: {content: "${content}"}
  c2: {external: true, name: shared-conf}
`;
  const stack = convert(load(compose('hello'), { 's1.txt': 'x' }, { TOKEN: 'abc' }));
  const names = Object.fromEntries(stack.fileObjects.map((object) => [`${object.kind}.${object.key}`, object.name]));
  assert.match(names['secrets.s1']!, /^shop_s1-[0-9a-f]{12}$/);
  assert.match(names['secrets.token']!, /^shop_token-[0-9a-f]{12}$/);
  assert.match(names['configs.c1']!, /^shop_c1-[0-9a-f]{12}$/);
  assert.equal(names['configs.c2'], 'shared-conf');
  assert.equal(names['secrets.unused'], undefined, 'only what a service uses is created');
  assert.equal(stack.fileObjects.find((object) => object.key === 'token')!.data!.toString(), 'abc');
  assert.deepEqual(stack.fileObjects.find((object) => object.key === 'c1')!.labels, { 'com.docker.stack.namespace': 'shop' });
  const web = container(stack, 'web');
  assert.deepEqual(web.Secrets, [
    { File: { Name: 's1', UID: '0', GID: '0', Mode: 0o444 }, SecretID: '', SecretName: names['secrets.s1'] },
    { File: { Name: 'api-token', UID: '100', GID: '0', Mode: 0o400 }, SecretID: '', SecretName: names['secrets.token'] },
  ].sort((a, b) => (a.SecretName! < b.SecretName! ? -1 : 1)));
  assert.deepEqual(web.Configs, [
    { File: { Name: '/etc/c2.conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: '', ConfigName: 'shared-conf' },
    { File: { Name: '/c1', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: '', ConfigName: names['configs.c1'] },
  ]);
  const changed = convert(load(compose('hello again'), { 's1.txt': 'x' }, { TOKEN: 'abc' }));
  const c1 = (s: SwarmStack) => s.fileObjects.find((object) => object.key === 'c1')!.name;
  assert.notEqual(c1(changed), c1(stack), 'new content, new name: the service rolls onto it');
  assert.equal(changed.fileObjects.find((object) => object.key === 's1')!.name, names['secrets.s1']);
});

test('networks: overlay namespaced by the stack, attachable and labels kept, external by name, other drivers warned', () => {
  const stack = convert(
    load(`services:
  web: {image: web:1, networks: {front: {aliases: [www]}, shared: {}, local: {}}}
networks:
  front: {driver: overlay, attachable: true, labels: {team: a}}
  shared: {external: true, name: corp-net}
  local: {driver: bridge}
  unused: {}
`),
  );
  assert.deepEqual(
    stack.networks.map((network) => [network.key, network.name, network.external, network.create?.Attachable ?? false, network.create?.Labels]),
    [
      ['front', 'shop_front', false, true, { team: 'a', 'com.docker.stack.namespace': 'shop' }],
      ['local', 'shop_local', false, false, { 'com.docker.stack.namespace': 'shop' }],
      ['shared', 'corp-net', true, false, undefined],
    ],
  );
  assert.deepEqual(spec(stack, 'web').TaskTemplate.Networks, [
    { Target: 'corp-net', Aliases: ['web'] },
    { Target: 'shop_front', Aliases: ['web', 'www'] },
    { Target: 'shop_local', Aliases: ['web'] },
  ]);
  assert.deepEqual(stack.warnings, ['network "local": driver bridge cannot span a swarm; created as an overlay network']);
});

test('keys a swarm cannot honour are one warning line each', () => {
  const stack = convert(
    load(`services:
  db: {image: db:1}
  web:
    image: web:1
    build: .
    devices: ["/dev/null:/dev/null"]
    privileged: true
    depends_on: [db]
    links: [db]
    cap_drop: [ALL]
    container_name: web1
`),
  );
  assert.deepEqual(stack.warnings, [
    'service "web": build is ignored: a swarm runs images from a registry (build and push the image first)',
    'service "web": container_name is ignored: swarm names the tasks of a service itself',
    'service "web": depends_on is ignored: a swarm starts every service at once (use healthchecks and retries)',
    'service "web": devices is not supported by swarm services and is ignored',
    'service "web": links is ignored: services reach each other by name on their networks',
    'service "web": privileged is not supported by swarm services and is ignored',
  ]);
  const networkMode = convert(load('services:\n  web: {image: web:1, network_mode: host}\n'));
  assert.deepEqual(networkMode.warnings, ['service "web": network_mode is not supported by swarm services and is ignored']);
});

test('what a swarm cannot run is refused with the path: no image, a port on one address, replicas of a global service', () => {
  assert.throws(() => convert(load('services:\n  web: {build: .}\n')), (error: BerthError) => /has no image/.test(error.message));
  assert.throws(() => convert(load('services:\n  web: {image: w, ports: ["127.0.0.1:8000:80"]}\n')), (error: BerthError) => /host_ip cannot be used/.test(error.message));
  assert.throws(() => convert(load('services:\n  web: {image: w, deploy: {mode: global, replicas: 2}}\n')), (error: BerthError) => /cannot be used with deploy.mode global/.test(error.message));
});

const SCHEMA_CANDIDATES = [fileURLToPath(new URL('../../schemas/compose-spec.json', import.meta.url)), '/work/shared/reference/compose-spec.json'];
const schemaFile = SCHEMA_CANDIDATES.find((file) => existsSync(file));

test('every service and deploy key of the Compose Specification says what berth deploy does with it', { skip: schemaFile === undefined && 'compose-spec.json not found' }, () => {
  const schema = JSON.parse(readFileSync(schemaFile as string, 'utf8')) as {
    definitions: { service: { properties: Record<string, unknown> }; deployment: { properties: Record<string, unknown> } };
  };
  assert.deepEqual(Object.keys(schema.definitions.service.properties).filter((key) => !Object.hasOwn(SERVICE_KEYS, key)), []);
  assert.deepEqual(Object.keys(schema.definitions.deployment.properties).filter((key) => !Object.hasOwn(DEPLOY_KEYS, key)), []);
});
