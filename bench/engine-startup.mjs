// The engine's start-up: `node BERTH engine` on a root of its own, RUNS times, each until its first answered /_ping;
// prints the medians of the wall time, of the engine's CPU time (user + system) by then, and its RSS one second
// later (idle). Every engine is stopped (SIGTERM, SIGKILL after 10 s) before the next starts.
//   node bench/engine-startup.mjs bin/berth.js /tmp/DIR 5
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const [berth, root, runsText = '5'] = process.argv.slice(2);
if (!berth || !root) {
  console.error('usage: node bench/engine-startup.mjs BERTH_JS ROOT [RUNS]');
  process.exit(2);
}
const socket = `${root}/../startup.sock`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ping() {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 500 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** utime + stime of the process, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const wall = [];
const cpu = [];
const rss = [];
for (let run = 0; run < Number(runsText); run++) {
  const started = performance.now();
  const engine = spawn(process.execPath, [berth, 'engine', '--root', root, '--socket', socket], { stdio: 'ignore' });
  const exited = new Promise((resolve) => engine.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!(await ping())) {
    if (Date.now() > deadline) {
      engine.kill('SIGKILL');
      throw new Error('the engine did not answer /_ping within 60 s');
    }
    await sleep(5);
  }
  wall.push(performance.now() - started);
  cpu.push(cpuMs(engine.pid));
  await sleep(1000);
  rss.push(rssMiB(engine.pid));
  engine.kill('SIGTERM');
  const killer = setTimeout(() => engine.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
console.log(`${median(wall).toFixed(0)} ms to the first /_ping, engine CPU ${median(cpu)} ms, idle RSS ${median(rss).toFixed(0)} MiB (medians of ${wall.length})`);
