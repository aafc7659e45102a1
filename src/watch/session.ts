// The watch loop: every rule's path is watched (watcher.ts); events are batched (batch.ts: the first after a quiet
// time at once, later ones after a short quiet period, each path once); each batch goes to the rules it touches,
// service by service and in order: sync the changed files, restart, run the exec hook, or rebuild and recreate the
// service (which supersedes its syncs for that batch). A failed action is reported and watching goes on.
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Engine } from '../engine-client/index.js';
import { serviceContainersFilter } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { ChangeBatcher } from './batch.js';
import { boundPath } from './rules.js';
import type { WatchRule } from './rules.js';
import { fullSyncPlan, syncPlan, syncSender } from './sync.js';
import type { SyncPlan } from './sync.js';
import { watchTrees } from './watcher.js';
import type { TreeWatcher } from './watcher.js';

/** How long a stop waits for the watch actions under way. */
const STOP_GRACE_MS = 10_000;

export interface WatchOptions {
  readonly engine: Engine;
  readonly project: Project;
  readonly rules: readonly WatchRule[];
  readonly quietMs: number;
  /** A line for the user (stderr). */
  readonly log: (line: string) => void;
  /** Builds the service's image again, and recreates the service (and restarts what depends on it). */
  readonly rebuild: (service: string) => Promise<void>;
  /** Restarts the service's running containers. */
  readonly restart: (service: string) => Promise<void>;
}

export interface WatchSession {
  /** Resolves once the watchers are ready (and initial syncs done). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export function startWatch(options: WatchOptions): WatchSession {
  const { engine, project, log } = options;
  const rules = options.rules.filter((rule) => {
    if (!rule.action.startsWith('sync')) return true;
    const bound = boundPath(project.services[rule.service]!, rule.path);
    if (bound) log(`WARN path ${rule.path} of service "${rule.service}" is already bind-mounted from ${bound}: its sync rule is skipped`);
    return !bound;
  });
  // One queue per service: batches apply in order, never two actions on one service at once. Batches that come
  // while an action runs wait as one: their changes merged (the last state of a path wins), so a burst costs the
  // service one more sync or restart, not one per batch.
  const queues = new Map<string, Promise<void>>();
  const waiting = new Map<string, Map<string, boolean>>();
  const enqueue = (service: string, changes: ReadonlyMap<string, boolean>): void => {
    const merged = waiting.get(service);
    if (merged) {
      for (const [path, exists] of changes) merged.set(path, exists);
      return;
    }
    waiting.set(service, new Map(changes));
    const action = (): Promise<void> => {
      const batch = waiting.get(service)!;
      waiting.delete(service);
      return dispatch(touchedRules(service, batch));
    };
    const next = (queues.get(service) ?? Promise.resolve()).then(action).catch((error: Error) => log(`Error on service "${service}": ${error.message}`));
    queues.set(service, next);
  };
  const touchedRules = (service: string, changes: ReadonlyMap<string, boolean>): Array<{ rule: WatchRule; changes: Map<string, boolean> }> =>
    rules
      .filter((rule) => rule.service === service)
      .map((rule) => ({ rule, changes: new Map([...changes].filter(([path]) => isWithin(rule.path, path) && !rule.ignores(path))) }))
      .filter(({ changes: mine }) => mine.size > 0);
  const batcher = new ChangeBatcher(options.quietMs, (changes) => {
    for (const service of new Set(rules.map((rule) => rule.service))) {
      if (touchedRules(service, changes).length > 0) enqueue(service, changes);
    }
  });

  const dispatch = async (touched: Array<{ rule: WatchRule; changes: Map<string, boolean> }>): Promise<void> => {
    const service = touched[0]!.rule.service;
    const rebuild = touched.find(({ rule }) => rule.action === 'rebuild');
    if (rebuild) {
      log(`Rebuilding service "${service}" after ${count(rebuild.changes.size)}`);
      try {
        await options.rebuild(service);
        log(`service "${service}" rebuilt and recreated`);
      } catch (error) {
        log(`Build failed: ${(error as Error).message} (service "${service}" keeps running as it was)`);
      }
      return;
    }
    for (const { rule, changes } of touched) {
      if (rule.action === 'restart') {
        log(`Restarting service "${service}" after ${count(changes.size)}`);
        await options.restart(service);
        continue;
      }
      const plan = syncPlan(rule, changes);
      if (plan.entries.length === 0 && plan.removed.length === 0) continue;
      log(`Syncing service "${service}" after ${count(changes.size)}`);
      const containers = await syncToRunning(service, plan);
      if (rule.action === 'sync+restart') {
        log(`Restarting service "${service}" after the sync`);
        await options.restart(service);
      } else if (rule.action === 'sync+exec' && rule.exec) {
        const hook = rule.exec;
        for (const result of await Promise.all(containers.map((id) => engine.containers.exec(id, { command: hook.command, env: hook.env, ...(hook.user ? { user: hook.user } : {}), ...(hook.privileged ? { privileged: true } : {}), ...(hook.workingDir ? { workingDir: hook.workingDir } : {}) })))) {
          for (const line of result.output.split('\n').filter(Boolean)) log(`${service} exec | ${line}`);
          if (result.exitCode !== 0) log(`exec hook of service "${service}" exited with ${result.exitCode}`);
        }
      }
    }
  };

  const running = async (service: string): Promise<string[]> => {
    const found = await engine.containers.list({ ...serviceContainersFilter(project.name, service), status: ['running'] }, false);
    return found.map((container) => container.id);
  };

  // The running containers of each service as last listed. A sync goes to them at once while the list is read
  // again beside it (so the list's round trip is not waited for); a container the new list adds gets the sync
  // too, and one it no longer has (stopped, recreated by a rebuild) may fail: that failure does not count.
  const lastListed = new Map<string, readonly string[]>();
  const syncToRunning = async (service: string, plan: SyncPlan): Promise<string[]> => {
    const send = syncSender(engine, plan);
    const listing = running(service);
    const known = lastListed.get(service) ?? [];
    const early = known.map((id) => send(id).then(() => undefined, (error: unknown) => error));
    const current = await listing;
    lastListed.set(service, current);
    const late = Promise.all(current.filter((id) => !known.includes(id)).map(send));
    const failures = await Promise.all(early);
    await late;
    const failure = failures.find((error, index) => error !== undefined && current.includes(known[index]!));
    if (failure !== undefined) throw failure;
    return current;
  };

  let watcher: TreeWatcher | undefined;
  const ready = (async () => {
    for (const rule of rules.filter((candidate) => candidate.initialSync && candidate.action.startsWith('sync'))) {
      log(`Syncing service "${rule.service}": initial sync of ${rule.path}`);
      await syncToRunning(rule.service, fullSyncPlan(rule));
    }
    const paths = [...new Set(rules.map((rule) => rule.path))];
    const ignoredByAll = (path: string): boolean => {
      const covering = rules.filter((rule) => isWithin(rule.path, path));
      return covering.length > 0 && covering.every((rule) => rule.ignores(path));
    };
    watcher = watchTrees(paths, {
      ignored: ignoredByAll,
      change: (path) => batcher.add(path, existsSync(path)),
      problem: (message) => log(`watch error: ${message}`),
    });
    log(`Watch enabled: ${rules.map((rule) => `${rule.service} (${rule.action} ${rule.path})`).join(', ')}`);
  })();

  return {
    ready,
    async stop() {
      batcher.stop();
      const settled = (async () => {
        await ready.catch(() => {});
        watcher?.close();
        await Promise.all(queues.values());
      })();
      // An action that never ends (an exec hook whose process keeps its output open) must not keep Ctrl-C from
      // taking the project down: it is waited for a while, then left behind with a line that says so.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
      const outcome = await Promise.race([settled.then(() => 'done' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') log(`watch: an action still running ${STOP_GRACE_MS / 1000}s after the stop was left unfinished`);
    },
  };
}

function isWithin(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside === '' || (!inside.startsWith('..') && !inside.startsWith(sep));
}

function count(changes: number): string {
  return `${changes} change${changes === 1 ? '' : 's'}`;
}
