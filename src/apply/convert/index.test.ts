import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../model/types.js';
import { planContext } from './test-context.js';
import { FAMILIES, buildContainerCreateRequest } from './index.js';

const labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' };

const ctx = planContext({
  number: 1,
  labels,
  networkNames: { default: 'shop_default', back: 'shop_back' },
  volumeNames: { data: 'shop_data' },
  containersByService: { db: [{ id: 'db111', name: 'shop-db-1' }] },
});

test('a typical web service becomes the exact create request', () => {
  const service: ServiceConfig = {
    name: 'web',
    image: 'nginx:1.27',
    command: ['nginx', '-g', 'daemon off;'],
    environment: { MODE: 'prod', TOKEN: null },
    ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
    volumes: [
      { type: 'bind', source: '/srv/site', target: '/usr/share/nginx/html', read_only: true, bind: { create_host_path: true } },
      { type: 'volume', source: 'data', target: '/data', volume: {} },
    ],
    networks: { default: null, back: { aliases: ['api'] } },
    links: ['db'],
    depends_on: { db: { condition: 'service_started', required: true } },
    healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost'], interval: '30s' },
    restart: 'unless-stopped',
    mem_limit: '256m',
    platform: 'linux/amd64',
  };
  assert.deepEqual(buildContainerCreateRequest(service, ctx), {
    name: 'shop-web-1',
    platform: 'linux/amd64',
    warnings: [],
    extraNetworks: [],
    body: {
      Image: 'nginx:1.27',
      Labels: labels,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      Cmd: ['nginx', '-g', 'daemon off;'],
      Env: ['MODE=prod', 'TOKEN'],
      ExposedPorts: { '80/tcp': {} },
      Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost'], Interval: 30e9 },
      HostConfig: {
        Binds: ['/srv/site:/usr/share/nginx/html:ro', 'shop_data:/data:rw'],
        PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
        Memory: 256 * 1024 * 1024,
        RestartPolicy: { Name: 'unless-stopped' },
        NetworkMode: 'shop_back',
        Links: ['shop-db-1:db', 'shop-db-1:db-1', 'shop-db-1:shop-db-1'],
      },
      NetworkingConfig: {
        EndpointsConfig: {
          shop_back: { Aliases: ['shop-web-1', 'web', 'api'], Links: ['shop-db-1:db', 'shop-db-1:db-1', 'shop-db-1:shop-db-1'] },
          shop_default: { Aliases: ['shop-web-1', 'web'], Links: ['shop-db-1:db', 'shop-db-1:db-1', 'shop-db-1:shop-db-1'] },
        },
      },
    },
  });
});

/** The `foo` service of compose-go's full example, in canonical form (paths made absolute). */
const fullExample: ServiceConfig = {
  name: 'foo',
  annotations: { 'com.example.foo': 'bar' },
  build: { context: '/project/dir' },
  cap_add: ['ALL'],
  cap_drop: ['NET_ADMIN', 'SYS_ADMIN'],
  cgroup_parent: 'm-executor-abcd',
  command: ['bundle', 'exec', 'thin', '-p', '3000'],
  configs: [{ source: 'config1' }],
  container_name: 'my-web-container',
  depends_on: { db: { condition: 'service_started', required: true } },
  deploy: {
    mode: 'replicated',
    replicas: 6,
    labels: { FOO: 'BAR' },
    resources: { limits: { cpus: 0.001, memory: '52428800' }, reservations: { cpus: 0.0001, memory: '20971520' } },
    restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: 3, window: '2m0s' },
    placement: { constraints: ['node=foo'] },
    endpoint_mode: 'dnsrr',
  },
  device_cgroup_rules: ['c 1:3 mr', 'a 7:* rmw'],
  devices: [{ source: '/dev/ttyUSB0', target: '/dev/ttyUSB0', permissions: 'rwm' }],
  dns: ['8.8.8.8', '9.9.9.9'],
  dns_search: ['dc1.example.com', 'dc2.example.com'],
  domainname: 'foo.com',
  entrypoint: ['/code/entrypoint.sh', '-p', '3000'],
  environment: { BAR: 'bar_from_env_file_2', FOO: 'foo_from_env_file' },
  expose: ['3000', '8000'],
  external_links: ['redis_1', 'project_db_1:mysql'],
  extra_hosts: ['otherhost=50.31.209.229', 'somehost=162.242.195.82'],
  hostname: 'foo',
  healthcheck: { test: ['CMD-SHELL', 'echo "hello world"'], timeout: '1s', interval: '10s', retries: 5, start_period: '15s', start_interval: '5s' },
  image: 'redis',
  ipc: 'host',
  labels: { FOO: 'foo_from_label_file' },
  logging: { driver: 'syslog', options: { 'syslog-address': 'tcp://192.168.0.42:123' } },
  mac_address: '02:42:ac:11:65:43',
  network_mode: 'container:0cfeab0f748b',
  pid: 'host',
  ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 8001, published: '8001', protocol: 'tcp' }],
  privileged: true,
  read_only: true,
  restart: 'always',
  secrets: [{ source: 'secret1', target: '/run/secrets/secret1' }],
  security_opt: ['label=level:s0:c100,c200'],
  stdin_open: true,
  stop_grace_period: '20s',
  stop_signal: 'SIGUSR1',
  storage_opt: { size: '20G' },
  sysctls: { 'net.core.somaxconn': '1024' },
  tmpfs: ['/run', '/tmp'],
  tty: true,
  ulimits: { nofile: { soft: 20000, hard: 40000 }, nproc: 65535 },
  user: 'someone',
  uts: 'host',
  volumes: [
    { type: 'volume', target: '/var/lib/anonymous', volume: {} },
    { type: 'bind', source: '/opt/data', target: '/var/lib/data', bind: {} },
    { type: 'tmpfs', target: '/opt/tmpfs', tmpfs: { size: '10000' } },
  ],
  working_dir: '/code',
  'x-foo': 'bar',
};

/** The example's top-level secrets and configs, read from files. */
const fullExampleObjects = { secrets: { secret1: { file: '/project/dir/secret1.txt' } }, configs: { config1: { file: '/project/dir/config1.txt' } } };

test('compose-go\'s full example converts, warning about exactly what the engine cannot do', () => {
  const request = buildContainerCreateRequest(fullExample, {
    ...ctx,
    serviceName: 'foo',
    containerName: 'my-web-container',
    ...fullExampleObjects,
  });
  assert.deepEqual(request.warnings, [
    'service "foo": deploy.endpoint_mode is a Swarm setting and will be ignored',
    'service "foo": deploy.labels apply to Swarm services and will be ignored',
    'service "foo": deploy.placement is a Swarm setting and will be ignored',
    'service "foo": deploy.resources.reservations.cpus is a Swarm scheduling hint and will be ignored',
    'service "foo": deploy.restart_policy.delay is a Swarm setting and will be ignored',
    'service "foo": deploy.restart_policy.window is a Swarm setting and will be ignored',
    'service "foo": mac_address is ignored because network_mode is set',
  ]);
  const host = request.body.HostConfig ?? {};
  assert.equal(request.body.NetworkingConfig, undefined);
  assert.equal(host.NetworkMode, 'container:0cfeab0f748b');
  assert.deepEqual(host.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(host.Memory, 52428800);
  assert.equal(host.MemoryReservation, 20971520);
  assert.equal(host.NanoCpus, 1_000_000);
  assert.deepEqual(host.Binds, ['/opt/data:/var/lib/data:rw']);
  assert.deepEqual(host.Mounts, [
    { Type: 'volume', Target: '/var/lib/anonymous' },
    { Type: 'tmpfs', Target: '/opt/tmpfs', TmpfsOptions: { SizeBytes: 10000 } },
    { Type: 'bind', Source: '/project/dir/secret1.txt', Target: '/run/secrets/secret1', ReadOnly: true },
    { Type: 'bind', Source: '/project/dir/config1.txt', Target: '/config1', ReadOnly: true },
  ]);
  assert.deepEqual(host.Links, ['redis_1:redis_1', 'project_db_1:mysql']);
  assert.deepEqual(request.body.ExposedPorts, { '8001/tcp': {}, '3000/tcp': {}, '8000/tcp': {} });
  assert.equal(request.body.StopTimeout, 20);
  assert.deepEqual(request.body.Entrypoint, ['/code/entrypoint.sh', '-p', '3000']);
});

test('no two families write the same body field', () => {
  const owners = new Map<string, string>();
  const clashes: string[] = [];
  for (const [name, convert] of FAMILIES) {
    const fragment = convert(fullExample, { ...ctx, ...fullExampleObjects, apiVersion: '1.49' }, () => {});
    for (const field of [...Object.keys(fragment.config ?? {}), ...Object.keys(fragment.host ?? {})]) {
      const owner = owners.get(field);
      if (owner !== undefined) clashes.push(`${field}: ${owner} and ${name}`);
      owners.set(field, name);
    }
  }
  assert.deepEqual(clashes, []);
});

test('without an image the container runs what build tags as <project>-<service>', () => {
  const request = buildContainerCreateRequest({ name: 'web', build: { context: '.' } }, ctx);
  assert.equal(request.body.Image, 'shop-web');
  assert.deepEqual(request.body.HostConfig, { NetworkMode: 'shop_default' });
});
