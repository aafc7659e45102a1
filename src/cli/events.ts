// `berth events [SERVICE...]`: the engine's container events for the project's service containers (one-offs left
// out), as compose prints them: a line each, or with --json one object each in compose's shape.
import type { Command } from 'commander';
import { reportsOf } from '../engine-client/reports.js';
import type { EngineEvent } from '../engine-client/reports.js';
import { microTime, rfc3339Nano } from '../format/units.js';
import { LABEL } from '../model/labels.js';
import { toUnix } from './logs.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { connect } from './session.js';

interface EventsFlags {
  json: boolean;
  since?: string;
  until?: string;
}

export function registerEventsCommand(program: Command, run: RunVerb): void {
  program
    .command('events')
    .description('receive real time events from containers')
    .argument('[services...]')
    .option('--json', 'output events as a stream of json objects', false)
    .option('--since <time>', 'show all events created since timestamp')
    .option('--until <time>', 'stream events until this timestamp')
    .action(run((ctx, cmd) => runEvents(ctx, cmd.opts<EventsFlags>(), cmd.args)));
}

/** A project's event as compose reports it. */
export interface ComposeEvent {
  readonly nanoseconds: bigint;
  readonly service: string;
  readonly container: string;
  readonly action: string;
  readonly attributes: Readonly<Record<string, string>>;
}

async function runEvents(ctx: VerbContext, flags: EventsFlags, services: readonly string[]): Promise<number> {
  const now = Date.now();
  const since = flags.since === undefined ? undefined : toUnix(flags.since, now);
  const until = flags.until === undefined ? undefined : toUnix(flags.until, now);
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const controller = new AbortController();
  const release = ctx.onInterrupt?.(() => controller.abort());
  try {
    const events = reportsOf(engine).events({
      filters: { label: [`${LABEL.project}=${ref.project.name}`] },
      signal: controller.signal,
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    });
    for await (const raw of events) {
      const event = composeEvent(raw, services);
      if (event) ctx.stdout.write(flags.json ? `${eventJson(event)}\n` : eventLine(event));
    }
  } finally {
    release?.();
  }
  return controller.signal.aborted ? 130 : 0;
}

/** Container events of the named services (all when none), not of one-offs; compose's own labels left out. */
export function composeEvent(raw: EngineEvent, services: readonly string[]): ComposeEvent | undefined {
  if (raw.Type !== 'container') return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  if (attributes[LABEL.oneoff] === 'True') return undefined;
  const service = attributes[LABEL.service] ?? '';
  if (services.length > 0 && !services.includes(service)) return undefined;
  const kept = Object.fromEntries(Object.entries(attributes).filter(([key]) => !key.startsWith('com.docker.compose.')));
  const nanoseconds = raw.timeNano ? raw.timeNano : BigInt(raw.time ?? 0) * 1_000_000_000n;
  return { nanoseconds, service, container: raw.Actor?.ID ?? '', action: raw.Action ?? '', attributes: kept };
}

const sortedEntries = (attributes: Readonly<Record<string, string>>): Array<[string, string]> =>
  Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** compose's Event.String() through Fprintln: the line, then an empty one. */
export function eventLine(event: ComposeEvent): string {
  const attributes = sortedEntries(event.attributes).map(([key, value]) => `${key}=${value}`).join(', ');
  return `${microTime(event.nanoseconds)} container ${event.action} ${event.container} (${attributes})\n\n`;
}

/** compose's --json object: a Go map, so its keys (and the attributes') sorted; json.Marshal escapes <, > and &. */
export function eventJson(event: ComposeEvent): string {
  const text = JSON.stringify({
    action: event.action,
    attributes: Object.fromEntries(sortedEntries(event.attributes)),
    id: event.container,
    service: event.service,
    time: rfc3339Nano(event.nanoseconds),
    type: 'container',
  });
  return text.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
