// Watch latency: from a file write to the new content being served by the container (a sync rule), and from a
// Dockerfile write to the rebuilt container answering with the change (a rebuild rule); p50 and p95 over N edits,
// with `berth watch` running as a user runs it. Usage: node bench/watch-latency.mjs ENGINE_LABEL [EDITS]
// (DOCKER_HOST selects the engine). Prints one markdown table row per measure.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [label = 'engine', editsText = '20'] = process.argv.slice(2);
const edits = Number(editsText);
const root = new URL('..', import.meta.url).pathname;
const image = 'berth-test-busybox:latest';
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-watch-'));
const name = `benchwatch${Date.now().toString(36)}`;

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const [syncPort, buildPort] = [await freePort(), await freePort()];
const berth = (args, options = {}) => spawn(process.execPath, [join(root, 'bin/berth.js'), ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, ...options });
const finished = (child) => new Promise((resolve) => child.once('exit', resolve));
const dockerfile = (marker) => `FROM ${image}\nRUN mkdir -p /www && echo ${marker} > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`;

mkdirSync(join(dir, 'site'));
mkdirSync(join(dir, 'app'));
writeFileSync(join(dir, 'site', 'probe.txt'), 'start\n');
writeFileSync(join(dir, 'app', 'Dockerfile'), dockerfile('start'));
writeFileSync(
  join(dir, 'compose.yaml'),
  `name: ${name}
services:
  synced:
    image: ${image}
    command: ["sh", "-c", "mkdir -p /srv && exec httpd -f -p 8080 -h /srv"]
    ports: ["127.0.0.1:${syncPort}:8080"]
    stop_signal: SIGKILL
    develop:
      watch:
        - {path: ./site, action: sync, target: /srv, initial_sync: true}
  rebuilt:
    build: ./app
    ports: ["127.0.0.1:${buildPort}:8080"]
    stop_signal: SIGKILL
    develop:
      watch:
        - {path: ./app/Dockerfile, action: rebuild}
`,
);

/** Polls the URL every few milliseconds until the body is the expected one; the time it took, in ms. */
async function until(url, expected, since, timeoutMs) {
  for (;;) {
    const body = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((response) => response.text()).catch(() => '');
    if (body === expected) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`${url} did not serve ${JSON.stringify(expected)} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const watcher = berth(['watch'], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
watcher.stderr.on('data', (chunk) => (log += chunk));
try {
  const deadline = Date.now() + 120_000;
  while (!log.includes('Watch enabled')) {
    if (Date.now() > deadline || watcher.exitCode !== null) throw new Error(`berth watch did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await until(`http://127.0.0.1:${syncPort}/probe.txt`, 'start\n', performance.now(), 10_000);
  const sync = [];
  for (let edit = 0; edit < edits; edit++) {
    const token = `edit ${edit}\n`;
    const since = performance.now();
    writeFileSync(join(dir, 'site', 'probe.txt'), token);
    sync.push(await until(`http://127.0.0.1:${syncPort}/probe.txt`, token, since, 10_000));
  }
  const rebuild = [];
  for (let edit = 0; edit < edits; edit++) {
    const marker = `build${edit}`;
    const since = performance.now();
    writeFileSync(join(dir, 'app', 'Dockerfile'), dockerfile(marker));
    rebuild.push(await until(`http://127.0.0.1:${buildPort}/`, `${marker}\n`, since, 60_000));
  }
  const row = (what, values) => `| ${what} (${label}) | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${values.length} |`;
  console.log(row('sync: write -> served', sync));
  console.log(row('rebuild: write -> rebuilt container answers', rebuild));
} finally {
  watcher.kill('SIGINT');
  await finished(watcher);
  await finished(berth(['down', '--rmi', 'local', '-v'], { stdio: 'ignore' }));
  rmSync(dir, { recursive: true, force: true });
}
