// Progress on stderr in the four ways compose offers: a live display on a terminal, plain lines, JSON lines, or
// nothing. Chosen by --progress / COMPOSE_PROGRESS, with --ansi and NO_COLOR deciding colours.
import type { ChalkInstance } from 'chalk';
import { palette } from './color.js';
import { STATUS_STYLE } from './events.js';
import type { ProgressEvent, ProgressSink, Tone } from './events.js';
import { humanSize } from './layers.js';

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

/** Where the tty display reads the time (tests pass their own, so that durations are known values). */
export interface Clock {
  now(): number;
}

/** A piece of a line and how it is painted. */
type Piece = readonly [text: string, paint?: (text: string) => string];

/**
 * A block of lines redrawn in place: `[+] Running 2/3` and one line per resource with its state and time. Each line
 * is cut to the terminal's width and the block kept shorter than its height (the lines finished first give way to a
 * `... N more` line), so that moving back up over the block always lands on its first line. The last drawing, on
 * close, shows every line: nothing is redrawn over it.
 */
function ttySink(options: SinkOptions): ProgressSink {
  const { stream } = options;
  const clock = options.clock ?? Date;
  const c = palette(options.color);
  const lines = new Map<string, Line>();
  let drawn = 0;
  let frame = 0;
  const mark = (event: ProgressEvent): Piece => {
    const tone = event.failed ? 'failed' : STATUS_STYLE[event.status]?.tone ?? 'working';
    return TONE_MARKS[tone](SPINNER[frame % SPINNER.length]!, c);
  };
  const statusPiece = (event: ProgressEvent): Piece => {
    const tone = event.failed ? 'failed' : STATUS_STYLE[event.status]?.tone ?? 'working';
    return [event.status, tone === 'failed' ? c.red : tone === 'warning' ? c.yellow : undefined];
  };
  const draw = (final: boolean): void => {
    frame++;
    // A terminal that does not say its size (0, as under `script` without one) is taken as 80x24.
    const columns = Math.max(20, stream.columns || 80);
    const all = [...lines.values()];
    const done = all.filter((line) => line.event.done).length;
    const prefix = options.dryRun ? `${DRY_RUN} ` : '';
    const width = Math.max(0, ...all.map((line) => line.event.resource.length));
    const rows: Array<{ pieces: Piece[]; done: boolean }> = [];
    for (const line of all) {
      const { event } = line;
      const seconds = (((line.ended ?? clock.now()) - line.started) / 1000).toFixed(1);
      const layers: Piece = [line.children && line.children.size > 0 ? layerSummary(line.children) : '', c.dim];
      const detail: Piece = [event.detail ? ` ${event.detail}` : ''];
      rows.push({ done: event.done, pieces: [[' '], mark(event), [` ${prefix}${event.resource.padEnd(width)}`], layers, ['  '], statusPiece(event), detail, ['  '], [`${seconds}s`, c.dim]] });
      // Layers show while their image is on its way, then fold into its line.
      if (line.children && !event.done) {
        for (const child of line.children.values()) {
          rows.push({ done: child.done, pieces: [['   '], mark(child), [` ${child.resource} ${child.status}${child.detail ? ` ${child.detail}` : ''}`]] });
        }
      }
    }
    const title: Piece[] = [['[+]', c.blue], [` ${options.title ?? 'Running'} ${done}/${all.length}`]];
    const shown = final ? rows : fitHeight(rows, Math.max(3, stream.rows || 24) - 2, c);
    const out = [title, ...shown.map((row) => row.pieces)].map((pieces) => fitWidth(pieces, columns));
    let text = drawn > 0 ? `\x1b[${drawn}F` : '';
    text += out.map((line) => `\x1b[2K${line}`).join('\n') + '\n';
    stream.write(text);
    drawn = out.length;
  };
  const timer = setInterval(() => draw(false), 100);
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
        if (event.done) existing.ended = clock.now();
        else delete existing.ended;
      } else {
        const now = clock.now();
        lines.set(event.resource, { event, started: now, ...(event.done ? { ended: now } : {}) });
      }
    },
    note(line) {
      // Warnings go above the live block, which is drawn again below them: the note and the block cover every
      // line the block held, so each line is overwritten rather than the screen cleared (tmux moves a screen
      // cleared from its top into the scrollback).
      if (drawn > 0) stream.write(`\x1b[${drawn}F`);
      drawn = 0;
      stream.write(`${line.split('\n').map((part) => `\x1b[2K${part}`).join('\n')}\n`);
      if (lines.size > 0) draw(false);
    },
    close() {
      clearInterval(timer);
      if (lines.size > 0) draw(true);
    },
  };
}

/** The mark before a line, by tone: a spinner while working. */
const TONE_MARKS: { readonly [T in Tone]: (spinner: string, c: ChalkInstance) => Piece } = {
  working: (spinner, c) => [spinner, c.blue],
  done: (_spinner, c) => ['✔', c.green],
  failed: (_spinner, c) => ['✘', c.red],
  warning: (_spinner, c) => ['!', c.yellow],
  skipped: (_spinner, c) => ['-', c.dim],
};

/**
 * At most `height` rows: when there are more, the rows finished first give way (then the oldest), and one row says
 * how many are not shown.
 */
function fitHeight(rows: ReadonlyArray<{ pieces: Piece[]; done: boolean }>, height: number, c: ChalkInstance): Array<{ pieces: Piece[] }> {
  if (rows.length <= height) return [...rows];
  if (height <= 0) return [];
  const excess = rows.length - (height - 1);
  const hidden = new Set<number>();
  for (let i = 0; i < rows.length && hidden.size < excess; i++) if (rows[i]!.done) hidden.add(i);
  for (let i = 0; i < rows.length && hidden.size < excess; i++) hidden.add(i);
  const finished = [...hidden].filter((i) => rows[i]!.done).length;
  const summary: Piece[] = [[' '], ['…', c.dim], [` ${hidden.size} more`], [finished > 0 ? ` (${finished} done)` : '', c.dim]];
  return [{ pieces: summary }, ...rows.filter((_row, i) => !hidden.has(i))];
}

/** The pieces painted and cut to `columns` characters (a cut line ends in `…`), so that no line wraps. */
function fitWidth(pieces: readonly Piece[], columns: number): string {
  let room = columns - 1; // the last column is left free: some terminals wrap when it is written
  let out = '';
  for (const [text, paint] of pieces) {
    if (room <= 0 || text === '') continue;
    const chars = [...text];
    const cut = chars.length > room ? `${chars.slice(0, Math.max(0, room - 1)).join('')}…` : text;
    room -= Math.min(chars.length, room);
    out += paint ? paint(cut) : cut;
  }
  return out;
}
