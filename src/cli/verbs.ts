// Every verb module, each behind a lazy import: `berth up` loads up's module (and what it imports), not the code of
// thirty other verbs, and `berth --help` loads none (it is drawn from dist/cli/verb-index.json, see verb-index.ts).
// Add a verb as one line here; the order is the order of `berth --help`. `refused` stays last: it refuses, by name,
// the compose verbs that no module above registered.
import type { Command } from 'commander';
import type { RunVerb } from './main.js';

export type RegisterVerbs = (program: Command, run: RunVerb) => void;

export const VERB_MODULES = {
  config: async () => (await import('./config.js')).registerConfigCommand,
  version: async () => (await import('./version.js')).registerVersionCommand,
  up: async () => (await import('./up.js')).registerUpCommand,
  down: async () => (await import('./down.js')).registerDownCommand,
  lifecycle: async () => (await import('./lifecycle.js')).registerLifecycleCommands,
  ps: async () => (await import('./ps.js')).registerPsCommands,
  logs: async () => (await import('./logs.js')).registerLogsCommand,
  build: async () => (await import('./build.js')).registerBuildCommand,
  pull: async () => (await import('./pull.js')).registerPullCommand,
  push: async () => (await import('./push.js')).registerPushCommand,
  watch: async () => (await import('./watch.js')).registerWatchCommand,
  exec: async () => (await import('./exec.js')).registerExecCommand,
  run: async () => (await import('./run.js')).registerRunCommand,
  cp: async () => (await import('./cp.js')).registerCpCommand,
  attach: async () => (await import('./attach.js')).registerAttachCommand,
  engine: async () => (await import('./engine.js')).registerEngineCommand,
  graph: async () => (await import('./graph.js')).registerGraphCommand,
  plugin: async () => (await import('./plugin.js')).registerPluginCommand,
  top: async () => (await import('./top.js')).registerTopCommand,
  images: async () => (await import('./images.js')).registerImagesCommand,
  wait: async () => (await import('./wait.js')).registerWaitCommand,
  events: async () => (await import('./events.js')).registerEventsCommand,
  stats: async () => (await import('./stats.js')).registerStatsCommand,
  volumes: async () => (await import('./volumes.js')).registerVolumesCommand,
  port: async () => (await import('./port.js')).registerPortCommand,
  export: async () => (await import('./export.js')).registerExportCommand,
  commit: async () => (await import('./commit.js')).registerCommitCommand,
  deploy: async () => (await import('./deploy.js')).registerDeployCommand,
  stack: async () => (await import('./stack.js')).registerStackCommand,
  // Last: compose's verbs that nothing above registered are refused by name.
  refused: async () => (await import('./refused.js')).registerRefusedCommands,
} satisfies Record<string, () => Promise<RegisterVerbs>>;

export type VerbModule = keyof typeof VERB_MODULES;
