// Watch latency: from a file write to the new content being served by the container (a sync rule), and from a
// Dockerfile write to the rebuilt container answering with the change (a rebuild rule); p50 and p95 over N edits,
// with `berth watch` running as a user runs it. The page is read at the container's own address: through the
// published port, berth's engine relays every connection in its own process (a userland proxy), which competes
// with the sync it measures. Beside it, the pieces a sync is made of, measured on the same engine and container
// (where the milliseconds go): the bench's own poll (both ways), berth's reaction as its stderr shows it,
// the engine's container list and archive PUT round trips, `docker cp` of one small file, and the file watcher's
// notification delay.
// Usage: node bench/watch-latency.mjs ENGINE_LABEL [EDITS] [OTHER_BUILD]
// DOCKER_HOST selects the engine. With OTHER_BUILD (a checkout with bin/ and dist/, e.g. main's), its `berth watch`
// is measured too, in interleaved rounds, for before/after figures in one run. BENCH_WATCH_REBUILD=0 skips the
// rebuild measure. Prints markdown table rows: measure, p50, p95, samples.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, watch as fsWatch, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [label = 'engine', editsText = '20', otherBuild] = process.argv.slice(2);
const edits = Number(editsText);
const root = new URL('..', import.meta.url).pathname;
const builds = [{ name: 'this build', dir: root }, ...(otherBuild ? [{ name: `build ${otherBuild}`, dir: resolve(otherBuild) }] : [])];
const image = 'berth-test-busybox:latest';
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-watch-'));
const name = `benchwatch${Date.now().toString(36)}`;
/** The bench's poll: a GET every POLL_MS, at most IN_FLIGHT at once, each bounded (1 s). */
const POLL_MS = 2;
const IN_FLIGHT = 4;

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
const [syncPort, buildPort] = [await freePort(), await freePort()];
const berth = (build, args, options = {}) => spawn(process.execPath, [join(build, 'bin/berth.js'), ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, ...options });
const finished = (child) => new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
const dockerfile = (marker) => `FROM ${image}\nRUN mkdir -p /www && echo ${marker} > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`;
const rebuildToo = process.env.BENCH_WATCH_REBUILD !== '0';

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
${
  rebuildToo
    ? `  rebuilt:
    build: ./app
    ports: ["127.0.0.1:${buildPort}:8080"]
    stop_signal: SIGKILL
    develop:
      watch:
        - {path: ./app/Dockerfile, action: rebuild}
`
    : ''
}`,
);

const get = (url) => fetch(url, { signal: AbortSignal.timeout(1000) }).then((response) => response.text()).catch(() => '');

/**
 * Polls the URL until it serves the expected body; the time it took, in ms (until the answer with it arrived). A
 * GET takes longer than the poll interval on a loaded machine, so a new one starts every POLL_MS while up to
 * IN_FLIGHT are under way: the answer is seen about one GET after the container has it, not up to two.
 */
function until(url, expected, since, timeoutMs) {
  return new Promise((done, fail) => {
    let inFlight = 0;
    let over = false;
    const finish = (outcome) => {
      over = true;
      clearInterval(timer);
      outcome();
    };
    const timer = setInterval(() => {
      if (over) return;
      if (performance.now() - since > timeoutMs) finish(() => fail(new Error(`${url} did not serve ${JSON.stringify(expected)} in ${timeoutMs} ms`)));
      if (over || inFlight >= IN_FLIGHT) return;
      inFlight++;
      get(url).then((body) => {
        inFlight--;
        if (!over && body === expected) {
          const took = performance.now() - since;
          finish(() => done(took));
        }
      });
    }, POLL_MS);
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const row = (what, values) => console.log(`| ${what} (${label}) | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 95).toFixed(1)} | ${values.length} |`);

/** The engine's API over its unix socket (DOCKER_HOST, else the default socket), for the round-trip rows. */
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';
function api(method, path, body) {
  return new Promise((done, fail) => {
    const req = request({ socketPath, method, path, timeout: 10_000, headers: body ? { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (response.statusCode < 300 ? done(text) : fail(new Error(`${method} ${path}: ${response.statusCode} ${text}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', fail);
    req.end(body);
  });
}

const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${name}`, 'com.docker.compose.service=synced'], status: ['running'] }));
/** The synced container's id, and its page at the container's own address (not through the published port). */
async function syncedContainer() {
  const id = JSON.parse(await api('GET', `/containers/json?filters=${filters}`))[0].Id;
  const networks = JSON.parse(await api('GET', `/containers/${id}/json`)).NetworkSettings.Networks;
  const address = Object.values(networks).map((network) => network.IPAddress).find(Boolean);
  return { id, direct: `http://${address}:8080/probe.txt`, published: `http://127.0.0.1:${syncPort}/probe.txt` };
}

/** A one-file tar (ustar), as a watch sync of one small file sends it. */
function oneFileTar(fileName, content) {
  const header = Buffer.alloc(512);
  header.write(fileName, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

/** ms between a write and the first fs.watch (inotify) event for it, in this process: the watcher's own delay. */
async function watcherDelays(samples) {
  const scratch = mkdtempSync(join(tmpdir(), 'berth-bench-watcher-'));
  const file = join(scratch, 'probe.txt');
  writeFileSync(file, 'start\n');
  const watcher = fsWatch(scratch);
  try {
    const delays = [];
    for (let sample = 0; sample < samples; sample++) {
      await sleep(20);
      let since = 0;
      const seen = new Promise((done) => watcher.once('change', () => done(performance.now() - since)));
      since = performance.now();
      writeFileSync(file, `edit ${sample}\n`);
      delays.push(await Promise.race([seen, sleep(2000).then(() => 2000)]));
    }
    return delays;
  } finally {
    watcher.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One `berth watch` of a build: EDITS writes, each timed to the served page and to berth's "Syncing" line. */
const live = new Set();
async function syncRound(build, count, offset) {
  const watcher = berth(build.dir, ['watch'], { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(watcher);
  let log = '';
  const syncingLines = [];
  watcher.stderr.on('data', (chunk) => {
    const now = performance.now();
    log += chunk;
    for (const line of String(chunk).split('\n')) if (line.startsWith('Syncing service "synced" after')) syncingLines.push(now);
  });
  try {
    const deadline = Date.now() + 120_000;
    while (!log.includes('Watch enabled')) {
      if (Date.now() > deadline || watcher.exitCode !== null) throw new Error(`berth watch did not start:\n${log}`);
      await sleep(50);
    }
    const start = `start ${offset}\n`;
    writeFileSync(join(dir, 'site', 'probe.txt'), start);
    const { direct } = await syncedContainer();
    await until(direct, start, performance.now(), 10_000);
    await sleep(200); // a quiet time before the first measured edit
    const served = [];
    const reacted = [];
    for (let edit = 0; edit < count; edit++) {
      const token = `edit ${offset + edit}\n`;
      const before = syncingLines.length;
      const since = performance.now();
      writeFileSync(join(dir, 'site', 'probe.txt'), token);
      served.push(await until(direct, token, since, 10_000));
      if (syncingLines.length > before) reacted.push(syncingLines[before] - since);
      await sleep(150); // edits a user makes, not a stream
    }
    return { served, reacted, watcher };
  } catch (error) {
    await stopWatch(watcher);
    throw error;
  }
}

async function stopWatch(watcher) {
  live.delete(watcher);
  watcher.kill('SIGINT');
  await Promise.race([finished(watcher), sleep(15_000).then(() => watcher.kill('SIGKILL'))]);
  await finished(watcher);
}

try {
  const results = builds.map(() => ({ served: [], reacted: [] }));
  const rounds = builds.length > 1 ? 2 : 1;
  for (let round = 0; round < rounds; round++) {
    // A B, then B A: this build's watch comes last and keeps watching, for the rebuild measure.
    const order = round % 2 === 0 ? [...builds.entries()] : [...builds.entries()].reverse();
    for (const [index, build] of order) {
      const count = Math.ceil(edits / rounds);
      const result = await syncRound(build, count, (round * builds.length + index) * count);
      results[index].served.push(...result.served);
      results[index].reacted.push(...result.reacted);
      if (index !== 0 || round !== rounds - 1) await stopWatch(result.watcher);
    }
  }
  for (const [index, build] of builds.entries()) {
    const tag = builds.length > 1 ? `, ${build.name}` : '';
    row(`sync: write -> served${tag}`, results[index].served);
    if (results[index].reacted.length > 0) row(`sync: write -> berth's "Syncing" line${tag}`, results[index].reacted);
  }

  // The pieces, on the same engine and container.
  const { id, direct, published } = await syncedContainer();
  for (const [what, url] of [['the container\'s address', direct], ['the published port', published]]) {
    const polls = [];
    for (let sample = 0; sample < edits; sample++) {
      const since = performance.now();
      await get(url);
      polls.push(performance.now() - since);
    }
    row(`poll: one GET of the page at ${what}`, polls);
  }
  const lists = [];
  for (let sample = 0; sample < edits; sample++) {
    const since = performance.now();
    await api('GET', `/containers/json?filters=${filters}`);
    lists.push(performance.now() - since);
  }
  row("engine: GET /containers/json (the service's running containers)", lists);
  const puts = [];
  for (let sample = 0; sample < edits; sample++) {
    const tar = oneFileTar('srv/put-probe.txt', Buffer.from(`put ${sample}\n`));
    const since = performance.now();
    await api('PUT', `/containers/${id}/archive?path=%2F`, tar);
    puts.push(performance.now() - since);
  }
  row('engine: PUT /containers/{id}/archive (one small file)', puts);
  const copies = [];
  const copied = join(dir, 'copied.txt');
  writeFileSync(copied, 'copied\n');
  for (let sample = 0; sample < Math.min(edits, 10); sample++) {
    const since = performance.now();
    const cp = spawn('docker', ['-H', `unix://${socketPath}`, 'cp', copied, `${id}:/srv/copied.txt`], { stdio: 'ignore' });
    const timer = setTimeout(() => cp.kill('SIGKILL'), 30_000);
    await finished(cp);
    clearTimeout(timer);
    copies.push(performance.now() - since);
  }
  row('docker cp of one small file (the docker CLI, its start included)', copies);
  row('watcher: write -> fs.watch event (in the bench process)', await watcherDelays(Math.min(edits, 10)));

  if (rebuildToo) {
    const rebuild = [];
    for (let edit = 0; edit < edits; edit++) {
      const marker = `build${edit}`;
      const since = performance.now();
      writeFileSync(join(dir, 'app', 'Dockerfile'), dockerfile(marker));
      rebuild.push(await until(`http://127.0.0.1:${buildPort}/`, `${marker}\n`, since, 60_000));
    }
    row('rebuild: write -> rebuilt container answers', rebuild);
  }
} finally {
  for (const watcher of live) await stopWatch(watcher);
  const down = berth(root, ['down', '--rmi', 'local', '-v'], { stdio: 'ignore' });
  const timer = setTimeout(() => down.kill('SIGKILL'), 120_000);
  await finished(down);
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
}
