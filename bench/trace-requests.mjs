// Reads the file BERTH_TRACE_REQUESTS wrote (one JSON line per Engine API request: sent, answered) and prints each
// command's timeline: when each request was sent and answered (ms after the process started), and the stretches with
// no request in flight (the CLI's own time: module loading, planning, or waiting on nothing).
// Usage: BERTH_TRACE_REQUESTS=/tmp/t.jsonl berth ...; node bench/trace-requests.mjs /tmp/t.jsonl [--quiet]
import { readFileSync } from 'node:fs';

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/trace-requests.mjs TRACE.jsonl [--quiet]\n');
  process.exit(2);
}
const quiet = flags.includes('--quiet');
const commands = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const entry = JSON.parse(line);
  if (entry.processStarted !== undefined) commands.push({ started: entry.processStarted, argv: entry.argv, requests: [] });
  else commands.at(-1)?.requests.push(entry);
}
const ms = (value) => `${value.toFixed(0).padStart(6)}`;
const short = (path) => path.replace(/[0-9a-f]{64}/g, (id) => id.slice(0, 8));
for (const { started, argv, requests } of commands) {
  const verb = argv.filter((arg) => !arg.startsWith('-')).find((arg) => ['up', 'down', 'start', 'stop', 'create', 'scale', 'rm'].includes(arg)) ?? argv.join(' ');
  process.stdout.write(`\n== ${argv.join(' ')}\n`);
  if (!quiet) process.stdout.write('  sent   took  request\n');
  let idle = 0;
  let idleBefore = 0;
  let busyUntil = started;
  for (const request of [...requests].sort((a, b) => a.sent - b.sent)) {
    const gap = request.sent - busyUntil;
    if (gap > 0) {
      if (busyUntil === started) idleBefore = gap;
      else idle += gap;
      if (!quiet && gap >= 5 && busyUntil !== started) process.stdout.write(`  ${' '.repeat(13)}  (${gap.toFixed(0)} ms with nothing in flight)\n`);
    }
    busyUntil = Math.max(busyUntil, request.answered);
    if (!quiet) process.stdout.write(`${ms(request.sent - started)} ${ms(request.answered - request.sent)}  ${request.method} ${short(request.path)}${request.error ? `  ! ${request.error}` : ''}\n`);
  }
  const last = requests.length > 0 ? Math.max(...requests.map((request) => request.answered)) : started;
  process.stdout.write(
    `  ${verb}: ${requests.length} requests; first sent at ${idleBefore.toFixed(0)} ms, last answered at ${(last - started).toFixed(0)} ms; ${idle.toFixed(0)} ms between them with nothing in flight\n`,
  );
}
