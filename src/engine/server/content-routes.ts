// Routes that move file content in and out: image save, container export, copying from a container (archive),
// and the processes of a container (top).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, dirname, join, posix } from 'node:path';
import { EngineError, invalid, notFound } from '../errors.js';
import { extractUpload, mustRun } from '../runtime/tools.js';
import { queryBoolean, sendJson } from './http.js';
import { containerStats } from '../services/stats.js';
import { commitContainer, containerChanges } from '../services/commit.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addContentRoutes(router: Router, services: EngineServices): void {
  const { images, containers } = services;
  const save = async (names: readonly string[], response: ServerResponse): Promise<void> => {
    if (names.length === 0) throw invalid('no image names given');
    for (const name of names) images.resolve(name);
    response.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await images.save(names, response);
    response.end();
  };
  router.add('GET', '/images/get', ({ response, query }) => save(query.getAll('names'), response));
  router.add('GET', '/images/{name*}/get', ({ response, params }) => save([params.name!], response));

  router.add('POST', '/images/prune', ({ response }) => {
    const { deleted, reclaimed } = images.prune();
    sendJson(response, 200, { ImagesDeleted: deleted.map((id) => ({ Deleted: id })), SpaceReclaimed: reclaimed });
  });

  router.add('GET', '/containers/{id}/export', async ({ response, params }) => {
    const { path } = await containers.rootfs(params.id!);
    response.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await pipeTar(['-c', '--numeric-owner', '-C', path, '.'], response);
    response.end();
  });

  router.add('GET', '/containers/{id}/archive', async ({ request, response, params, query }) => {
    const { path: root } = await containers.rootfs(params.id!);
    const target = query.get('path');
    if (!target) throw invalid('path is required');
    const resolved = resolveInRoot(root, target);
    const stat = pathStat(resolved, target);
    response.writeHead(request.method === 'HEAD' ? 200 : 200, {
      'Content-Type': 'application/x-tar',
      'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64'),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeTar(['-c', '--numeric-owner', '-C', dirname(resolved), basename(resolved)], response);
    response.end();
  });

  router.add('PUT', '/containers/{id}/archive', async ({ request, response, params, query }) => {
    const { path: root } = await containers.rootfs(params.id!);
    const target = query.get('path');
    if (!target) throw invalid('path is required');
    const destination = resolveInRoot(root, target);
    let info;
    try {
      info = lstatSync(destination);
    } catch {
      throw notFound(`Could not find the file ${target} in container`);
    }
    if (!info.isDirectory()) throw invalid(`extraction point is not a directory: ${target}`);
    await copyIntoContainer(root, destination.slice(root.length) || '/', request, services.layout.tmp);
    response.writeHead(200);
    response.end();
  });

  router.add('GET', '/containers/{id}/stats', async ({ request, response, params, query }) => {
    const record = containers.get(params.id!);
    const stream = query.get('stream') === null || queryBoolean(query, 'stream');
    const running = (): boolean => ['running', 'paused'].includes(containers.get(record.id).state.status);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const oneShot = queryBoolean(query, 'one-shot');
    let previous = running() && !oneShot ? containerStats(record.id, record.name, undefined).sample : undefined;
    // Without one-shot, a first sample is taken a moment before, so that a CPU percentage can be computed.
    if (previous) await delay(200);
    let open = true;
    request.on('close', () => (open = false));
    do {
      const { stats, sample } = containerStats(record.id, record.name, previous);
      response.write(`${JSON.stringify(stats)}\n`);
      previous = sample;
      if (stream) await delay(1000);
    } while (stream && open && running());
    response.end();
  });

  router.add('POST', '/commit', async ({ response, query }) => {
    const container = query.get('container');
    if (!container) throw invalid('container is required');
    const repo = query.get('repo');
    const reference = repo ? (query.get('tag') ? `${repo}:${query.get('tag')}` : repo) : undefined;
    const id = await commitContainer(services.commit, container, {
      ...(reference ? { reference } : {}),
      comment: query.get('comment') ?? '',
      author: query.get('author') ?? '',
      pause: query.get('pause') === null || queryBoolean(query, 'pause'),
      changes: query.getAll('changes').filter((change) => change.trim() !== ''),
    });
    sendJson(response, 201, { Id: id });
  });
  router.add('GET', '/containers/{id}/changes', ({ response, params }) => {
    const changes = containerChanges(services.commit, params.id!);
    sendJson(response, 200, changes.length > 0 ? changes : null);
  });

  router.add('GET', '/containers/{id}/top', async ({ response, params, query }) => {
    const pids = new Set((await containers.pids(params.id!)).map(String));
    const psArgs = (query.get('ps_args') || '-ef').split(/\s+/).filter(Boolean);
    const output = await mustRun('ps', psArgs).catch((error: Error) => {
      if (/ENOENT/.test(error.message)) throw new EngineError('internal', 'top needs ps on the engine host (apt-get install procps)');
      throw error;
    });
    const [header = '', ...rows] = output.trimEnd().split('\n');
    const titles = header.trim().split(/\s+/);
    const pidColumn = titles.indexOf('PID');
    if (pidColumn < 0) throw invalid(`ps ${psArgs.join(' ')} gives no PID column`);
    const processes = rows
      .map((row) => {
        const fields = row.trim().split(/\s+/);
        return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
      })
      .filter((fields) => pids.has(fields[pidColumn]!));
    sendJson(response, 200, { Titles: titles, Processes: processes });
  });
}

/**
 * Unpacks an uploaded tar into the container at `containerDir`. GNU tar first unpacks it into a private staging
 * directory (it refuses `..` members and strips leading `/`); each entry is then placed at its path resolved inside
 * the container's root, so neither the archive's links nor the container's own can lead a write out of it.
 */
async function copyIntoContainer(root: string, containerDir: string, upload: NodeJS.ReadableStream, tmp: string): Promise<void> {
  const stage = join(tmp, `put-${randomBytes(6).toString('hex')}`);
  mkdirSync(stage, { recursive: true });
  try {
    await extractUpload(['-x', '--numeric-owner', '--same-owner', '-p', '-C', stage, '-f', '-'], upload);
    const place = (relative: string): void => {
      for (const name of readdirSync(join(stage, relative)).sort()) {
        const staged = join(stage, relative, name);
        const info = lstatSync(staged);
        const target = resolveInRoot(root, posix.join(containerDir, relative, name));
        if (info.isDirectory()) {
          if (!existsSync(target)) mkdirSync(target);
          chmodSync(target, info.mode & 0o7777);
          lchownSync(target, info.uid, info.gid);
          place(join(relative, name));
          continue;
        }
        rmSync(target, { force: true, recursive: false });
        if (info.isSymbolicLink()) symlinkSync(readlinkSync(staged), target);
        else if (info.isFile()) {
          copyFileSync(staged, target);
          chmodSync(target, info.mode & 0o7777);
        } else continue; // devices, fifos and sockets are not copied into containers
        lchownSync(target, info.uid, info.gid);
      }
    };
    place('');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** `tar` with the given arguments, its output streamed to `response`. */
function pipeTar(args: readonly string[], response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.pipe(response, { end: false });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EngineError('internal', `tar: ${stderr.trim()}`))));
    response.on('close', () => child.kill());
  });
}

/**
 * A path inside the container, resolved as the container would (its symbolic links read relative to its own root),
 * so that a link to `/etc` reaches the container's /etc and never the host's.
 */
export function resolveInRoot(root: string, path: string): string {
  const parts = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let current = '/';
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, part);
    let info;
    try {
      info = lstatSync(root + next);
    } catch {
      current = next;
      continue;
    }
    if (info.isSymbolicLink() && (parts.length > 0 || !path.endsWith('/'))) {
      if (++hops > 40) throw invalid(`too many levels of symbolic links in ${path}`);
      const link = readlinkSync(root + next);
      const rest = link.split('/').filter(Boolean);
      parts.unshift(...rest);
      if (link.startsWith('/')) current = '/';
      continue;
    }
    current = next;
  }
  return root + (current === '/' ? '' : current);
}

function pathStat(resolved: string, asked: string): Record<string, unknown> {
  let info;
  try {
    info = lstatSync(resolved);
  } catch {
    throw notFound(`Could not find the file ${asked} in container`);
  }
  // Go's os.FileMode: the permission bits, with the type as high bits (a directory is 1 << 31).
  // (Added, not OR-ed: JavaScript's bitwise operators are 32-bit signed.)
  let mode = info.mode & 0o777;
  if (info.isDirectory()) mode += 2 ** 31;
  if (info.isSymbolicLink()) mode += 2 ** 27;
  return {
    name: basename(resolved),
    size: info.size,
    mode,
    mtime: info.mtime.toISOString(),
    linkTarget: info.isSymbolicLink() ? readlinkSync(resolved) : '',
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
