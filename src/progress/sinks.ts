// Progress on stderr in the four ways compose offers: a live display on a terminal, plain lines, JSON lines, or
// nothing. Chosen by --progress / COMPOSE_PROGRESS, with --ansi and NO_COLOR deciding colours.
import { percentOf, record } from './board.js';
import type { Board } from './board.js';
import type { ProgressEvent, ProgressSink } from './events.js';
import type { Display } from './tty.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface SinkOptions {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly color: boolean;
  readonly title?: string;
  /** Nothing really happens: every line says so, as compose's dry run does. */
  readonly dryRun?: boolean;
  /** The tty display's clock (durations); the real one unless a test passes its own. */
  readonly clock?: Clock;
}

/** What compose puts before each resource on a dry run. */
const DRY_RUN = 'DRY-RUN MODE - ';

export function createSink(options: SinkOptions): ProgressSink {
  const mode = options.mode === 'auto' ? (options.stream.isTTY ? 'tty' : 'plain') : options.mode;
  switch (mode) {
    case 'quiet':
      return { event: () => {}, note: () => {}, close: () => {} };
    case 'json':
      return jsonSink(options.stream, options.dryRun ?? false);
    case 'tty':
      return ttySink(options);
    default:
      return plainSink(options.stream, options.dryRun ?? false);
  }
}

function plainSink(stream: NodeJS.WritableStream, dryRun: boolean): ProgressSink {
  return {
    event: (event) => stream.write(` ${dryRun ? `${DRY_RUN} ` : ''}${event.resource}  ${event.status}${event.detail ? ` ${event.detail}` : ''}\n`),
    note: (line) => stream.write(`${line}\n`),
    close: () => {},
  };
}

function jsonSink(stream: NodeJS.WritableStream, dryRun: boolean): ProgressSink {
  return {
    event: (event) =>
      stream.write(
        `${JSON.stringify({
          ...(dryRun ? { 'dry-run': true } : {}),
          id: event.resource,
          ...(event.parent ? { parent_id: event.parent } : {}),
          status: event.status,
          ...(event.detail ? { text: event.detail } : {}),
          ...(event.failed ? { error: true } : {}),
          ...(event.current !== undefined ? { current: event.current } : {}),
          ...(event.total !== undefined ? { total: event.total, percent: percentOf(event) } : {}),
        })}\n`,
      ),
    note: (line) => stream.write(`${JSON.stringify({ level: 'warning', message: line })}\n`),
    close: () => {},
  };
}

/** Where the tty display reads the time (tests pass their own, so that durations are known values). */
export interface Clock {
  now(): number;
}

/**
 * The live display on a terminal. Its module (listr2, chalk) is loaded on first use, so that commands whose progress
 * goes elsewhere never pay for it: events are recorded on the board as they come, with their time, and the display
 * draws the board once it is loaded. Notes and a close that come before are replayed then.
 */
function ttySink(options: SinkOptions): ProgressSink {
  const clock = options.clock ?? Date;
  const board: Board = new Map();
  let display: Display | undefined;
  const waiting: Array<(display: Display) => void> = [];
  const loaded = (ready: Display): void => {
    display = ready;
    for (const call of waiting.splice(0)) call(ready);
  };
  import('./tty.js').then(
    ({ createDisplay }) => loaded(createDisplay({ board, stream: options.stream, color: options.color, clock, ...(options.title ? { title: options.title } : {}), ...(options.dryRun ? { prefix: `${DRY_RUN} ` } : {}) })),
    (error: unknown) => {
      // Without its display (a broken install), the progress still reaches the user: as plain lines, at the end.
      options.stream.write(`WARN progress display unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
      const plain = plainSink(options.stream, options.dryRun ?? false);
      loaded({ note: (line) => plain.note(line), close: () => board.forEach((line) => plain.event(line.event)) });
    },
  );
  const whenLoaded = (call: (display: Display) => void): void => (display ? call(display) : void waiting.push(call));
  return {
    event: (event: ProgressEvent) => record(board, event, clock.now()),
    note: (line) => whenLoaded((loaded) => loaded.note(line)),
    close: () => whenLoaded((loaded) => loaded.close()),
  };
}
