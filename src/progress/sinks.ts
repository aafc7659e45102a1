// Progress on stderr in the four ways compose offers: a live display on a terminal, plain lines, JSON lines, or
// nothing. Chosen by --progress / COMPOSE_PROGRESS, with --ansi and NO_COLOR deciding colours.
import type { ProgressEvent, ProgressSink } from './events.js';
import { humanSize } from './layers.js';

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

interface Line {
  event: ProgressEvent;
  started: number;
  ended?: number;
  /** A pull's or push's layers, by id, shown under the image's line while it is under way. */
  children?: Map<string, ProgressEvent>;
}

/** How far along a step is, 0-100: done is all, bytes say the rest. */
function percentOf(event: ProgressEvent): number {
  if (event.done) return 100;
  if (!event.total || event.current === undefined) return 0;
  return Math.min(100, Math.floor((event.current * 100) / event.total));
}

const FILL = ['⣀', '⣄', '⣤', '⣦', '⣶', '⣷', '⣿'];

/** ` 3 layers [⣿⣶⣀] 1.2MB/5MB`: the layers of an image, one mark each by how far along it is. */
function layerSummary(children: ReadonlyMap<string, ProgressEvent>): string {
  const layers = [...children.values()];
  const marks = layers.map((layer) => FILL[Math.floor((percentOf(layer) / 100) * (FILL.length - 1))]).join('');
  const current = layers.reduce((sum, layer) => sum + (layer.current ?? 0), 0);
  const total = layers.reduce((sum, layer) => sum + (layer.total ?? 0), 0);
  const bytes = total > 0 ? ` ${humanSize(current)}/${humanSize(total)}` : '';
  return ` ${layers.length} layer${layers.length === 1 ? '' : 's'} [${marks}]${bytes}`;
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
    const mark = (event: ProgressEvent): string =>
      event.failed ? paint('31', '✘') : event.done ? paint('32', '✔') : paint('34', SPINNER[frame % SPINNER.length]!);
    for (const line of all) {
      const { event } = line;
      const seconds = (((line.ended ?? Date.now()) - line.started) / 1000).toFixed(1);
      const status = event.failed ? paint('31', event.status) : event.status;
      const layers = line.children && line.children.size > 0 ? paint('2', layerSummary(line.children)) : '';
      out.push(` ${mark(event)} ${prefix}${event.resource.padEnd(width)}${layers}  ${status}${event.detail ? ` ${event.detail}` : ''}  ${paint('2', `${seconds}s`)}`);
      // Layers show while their image is on its way, then fold into its line.
      if (line.children && !event.done) {
        for (const child of line.children.values()) out.push(`   ${mark(child)} ${child.resource} ${child.status}${child.detail ? ` ${child.detail}` : ''}`);
      }
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
      if (event.parent !== undefined) {
        const parent = lines.get(event.parent);
        if (parent) (parent.children ??= new Map()).set(event.resource, event);
        return;
      }
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
