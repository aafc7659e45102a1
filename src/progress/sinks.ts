// Progress on stderr in the four ways compose offers: a live display on a terminal, plain lines, JSON lines, or
// nothing. Chosen by --progress / COMPOSE_PROGRESS, with --ansi and NO_COLOR deciding colours.
import type { ProgressEvent, ProgressSink } from './events.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface SinkOptions {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly color: boolean;
  readonly title?: string;
  /** Nothing really happens: every line says so, as compose's dry run does. */
  readonly dryRun?: boolean;
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
        `${JSON.stringify({ ...(dryRun ? { 'dry-run': true } : {}), id: event.resource, status: event.status, ...(event.detail ? { text: event.detail } : {}), ...(event.failed ? { error: true } : {}) })}\n`,
      ),
    note: (line) => stream.write(`${JSON.stringify({ level: 'warning', message: line })}\n`),
    close: () => {},
  };
}

interface Line {
  event: ProgressEvent;
  started: number;
  ended?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A block of lines redrawn in place: `[+] Running 2/3` and one line per resource with its state and time. */
function ttySink(options: SinkOptions): ProgressSink {
  const { stream } = options;
  const lines = new Map<string, Line>();
  let drawn = 0;
  let frame = 0;
  const paint = (code: string, text: string): string => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const draw = (): void => {
    frame++;
    const all = [...lines.values()];
    const done = all.filter((line) => line.event.done).length;
    const prefix = options.dryRun ? `${DRY_RUN} ` : '';
    const width = Math.max(0, ...all.map((line) => line.event.resource.length));
    const out: string[] = [`${paint('34', '[+]')} ${options.title ?? 'Running'} ${done}/${all.length}`];
    for (const line of all) {
      const { event } = line;
      const mark = event.failed ? paint('31', '✘') : event.done ? paint('32', '✔') : paint('34', SPINNER[frame % SPINNER.length]!);
      const seconds = (((line.ended ?? Date.now()) - line.started) / 1000).toFixed(1);
      const status = event.failed ? paint('31', event.status) : event.status;
      out.push(` ${mark} ${prefix}${event.resource.padEnd(width)}  ${status}${event.detail ? ` ${event.detail}` : ''}  ${paint('2', `${seconds}s`)}`);
    }
    let text = drawn > 0 ? `\x1b[${drawn}F` : '';
    text += out.map((line) => `\x1b[2K${line}`).join('\n') + '\n';
    stream.write(text);
    drawn = out.length;
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    event(event) {
      const existing = lines.get(event.resource);
      if (existing) {
        existing.event = event;
        if (event.done) existing.ended = Date.now();
        else delete existing.ended;
      } else {
        lines.set(event.resource, { event, started: Date.now(), ...(event.done ? { ended: Date.now() } : {}) });
      }
    },
    note(line) {
      // Warnings go above the live block, which is drawn again below them.
      if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[0J`);
      drawn = 0;
      stream.write(`${line}\n`);
      if (lines.size > 0) draw();
    },
    close() {
      clearInterval(timer);
      if (lines.size > 0) draw();
    },
  };
}
