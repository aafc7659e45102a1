// Lists the modules a berth command loads, grouped by package or berth folder, with their count and source size:
//   node --import ./bench/loaded-modules.mjs bin/berth.js --help >/dev/null
// The summary goes to stderr (or to $BERTH_LOADED_MODULES when set) when the process exits.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`;
const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

// CommonJS modules required from CommonJS (dockerode's dependencies) do not pass through the ESM hooks.
const { Module } = await import('node:module');
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    if (file.startsWith('/')) loaded.add(`file://${file}`);
  } catch {}
  return originalLoad.apply(this, arguments);
};

process.on('exit', () => {
  const groups = new Map();
  for (const url of loaded) {
    if (!url.startsWith('file:')) continue;
    const path = fileURLToPath(url);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const own = /\/(dist|bin)\/((?:[^/]+\/)?)/.exec(path);
    const group = pkg ? `npm:${pkg[1]}` : own ? `berth:${own[1]}/${own[2].replace(/\/$/, '') || '.'}` : path;
    const entry = groups.get(group) ?? { files: 0, bytes: 0 };
    entry.files += 1;
    try { entry.bytes += statSync(path).size; } catch {}
    groups.set(group, entry);
  }
  const rows = [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  const total = rows.reduce((sum, [, e]) => ({ files: sum.files + e.files, bytes: sum.bytes + e.bytes }), { files: 0, bytes: 0 });
  const lines = [`${total.files} files, ${(total.bytes / 1024).toFixed(0)} KiB`,
    ...rows.map(([group, e]) => `${String(e.files).padStart(5)} files ${(e.bytes / 1024).toFixed(0).padStart(6)} KiB  ${group}`)];
  if (process.env.BERTH_LOADED_MODULES) writeFileSync(process.env.BERTH_LOADED_MODULES, lines.join('\n') + '\n');
  else process.stderr.write(lines.join('\n') + '\n');
});
