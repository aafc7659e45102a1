// Every verb of `docker compose` (v5) that berth does not have answers with a message saying so and exit 1, rather
// than "unknown command". Registered last: a verb registered before (because berth has it now) is left alone, so
// adding a verb needs no change here.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import type { RunVerb } from './main.js';

interface Refusal {
  /** compose's own one-line description. */
  readonly compose: string;
  /** `never`: berth does not mean to do it (publishing to registries as OCI artifacts, bridge, alpha). */
  readonly plan: 'not-yet' | 'never';
}

const COMPOSE_VERBS: Readonly<Record<string, Refusal>> = {
  run: { compose: 'run a one-off command on a service', plan: 'not-yet' },
  publish: { compose: 'publish compose application', plan: 'never' },
  bridge: { compose: 'convert compose files into another model', plan: 'never' },
  alpha: { compose: 'experimental commands', plan: 'never' },
};

export function registerRefusedCommands(program: Command, run: RunVerb): void {
  const registered = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]));
  for (const [verb, refusal] of Object.entries(COMPOSE_VERBS)) {
    if (registered.has(verb)) continue;
    const what = refusal.plan === 'never' ? 'not supported by berth' : 'not supported by berth yet';
    program
      .command(verb)
      .description(`(${what}) ${refusal.compose}`)
      .argument('[args...]')
      .allowUnknownOption()
      .helpOption(false)
      .action(
        run(() => {
          throw new BerthError(`"${verb}" is ${what} (docker compose ${verb}: ${refusal.compose})`);
        }),
      );
  }
}
