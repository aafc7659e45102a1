// `berth version`: the same shapes as `docker compose version`.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { packageVersion } from './package-version.js';
import type { RunVerb } from './main.js';

export function registerVersionCommand(program: Command, run: RunVerb): void {
  program
    .command('version')
    .description('show the berth version information')
    .option('--short', 'show only the version number', false)
    .option('-f, --format <format>', 'format the output: pretty or json', 'pretty')
    .action(
      run((ctx, command) => {
        const options = command.opts<{ short: boolean; format: string }>();
        const version = packageVersion();
        if (options.short) ctx.stdout.write(`${version}\n`);
        else if (options.format === 'json') ctx.stdout.write(`${JSON.stringify({ version: `v${version}` })}\n`);
        else if (options.format === 'pretty') ctx.stdout.write(`berth version v${version}\n`);
        else throw new BerthError(`invalid --format "${options.format}": use pretty or json`);
        return 0;
      }),
    );
}
