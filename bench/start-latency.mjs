// The latency of POST /containers/{id}/start on one or more engines, taken in turns (engine A, engine B, A, B...)
// so that the machine's load weighs on each alike: each round creates a container on network NETWORK running
// `sleep 60`, starts it (timed: the request alone, no CLI), and removes it. Prints the median and p90 per engine.
//   node bench/start-latency.mjs IMAGE NETWORK ROUNDS SOCKET [SOCKET...]
import { request } from 'node:http';

const [image, network, roundsText, ...sockets] = process.argv.slice(2);
if (!image || !network || !roundsText || sockets.length === 0) {
  console.error('usage: node bench/start-latency.mjs IMAGE NETWORK ROUNDS SOCKET [SOCKET...]');
  process.exit(2);
}

function call(socketPath, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath, method, path, timeout: 60_000, headers: data ? { 'Content-Type': 'application/json' } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (response.statusCode < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

const times = sockets.map(() => []);
for (let round = 0; round < Number(roundsText); round++) {
  for (const [index, socket] of sockets.entries()) {
    const { Id: id } = JSON.parse(await call(socket, 'POST', '/containers/create', { Image: image, Cmd: ['sleep', '60'], HostConfig: { NetworkMode: network } }));
    const started = performance.now();
    await call(socket, 'POST', `/containers/${id}/start`);
    times[index].push(performance.now() - started);
    await call(socket, 'DELETE', `/containers/${id}?force=1`);
  }
}
const at = (values, fraction) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * fraction))];
for (const [index, socket] of sockets.entries()) {
  console.log(`${socket}: start median ${at(times[index], 0.5).toFixed(0)} ms, p90 ${at(times[index], 0.9).toFixed(0)} ms (${times[index].length} starts)`);
}
