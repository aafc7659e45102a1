// What the terminal display shows, as plain data: one line per resource in the order they first appeared, with its
// last event, when its step started and ended (read from a clock the caller passes), and a pull's or push's layers.
// `frame` lays it out for a terminal of a given size; painting and writing are the display's business (tty.ts), so
// that everything here is tested with small objects, a fake clock and a fake terminal size.
import { STATUS_STYLE } from './events.js';
import type { ProgressEvent, Tone } from './events.js';
import { humanSize } from './layers.js';

export interface BoardLine {
  event: ProgressEvent;
  started: number;
  ended?: number;
  /** A pull's or push's layers, by id, shown under the image's line while it is under way. */
  children?: Map<string, ProgressEvent>;
}

/** The resources seen so far, by name, in the order they first appeared. */
export type Board = Map<string, BoardLine>;

/** Records an event at time `now`: a layer goes under its image, anything else is its resource's line. */
export function record(board: Board, event: ProgressEvent, now: number): void {
  if (event.parent !== undefined) {
    const parent = board.get(event.parent);
    if (parent) (parent.children ??= new Map()).set(event.resource, event);
    return;
  }
  const existing = board.get(event.resource);
  if (existing) {
    existing.event = event;
    if (event.done) existing.ended = now;
    else delete existing.ended;
  } else {
    board.set(event.resource, { event, started: now, ...(event.done ? { ended: now } : {}) });
  }
}

/** How a piece of a line is painted: the display maps these to colours, or to nothing without colours. */
export type Style = 'blue' | 'green' | 'red' | 'yellow' | 'dim';

/** A piece of a line and how it is painted. */
export type Segment = readonly [text: string, style?: Style];

export interface FrameOptions {
  readonly now: number;
  /** The spinner's current character, for lines still working. */
  readonly spinner: string;
  readonly title: string;
  /** Put before each resource on a dry run (compose's `DRY-RUN MODE - `). */
  readonly prefix: string;
  /** The terminal's size; 0 or undefined (a terminal that does not say, as under `script`) is taken as 80x24. */
  readonly columns?: number;
  readonly rows?: number;
  /** The last drawing: every line is shown, since nothing is drawn over it. */
  readonly final: boolean;
}

/**
 * `[+] Running 2/3` and one line per resource with its mark, state and time, each cut to the terminal's width; the
 * block is kept shorter than the terminal's height (the lines finished first give way to a `… N more` line) so that
 * moving back up over it always lands on its first line.
 */
export function frame(board: Board, options: FrameOptions): Segment[][] {
  // However narrow the terminal, no line wraps: a line of a few characters is still a cut line, not two rows.
  const columns = Math.max(4, options.columns || 80);
  const all = [...board.values()];
  const finished = all.filter((line) => line.event.done).length;
  const width = Math.max(0, ...all.map((line) => line.event.resource.length));
  const rows: Row[] = [];
  for (const line of all) {
    const { event } = line;
    const seconds = (((line.ended ?? options.now) - line.started) / 1000).toFixed(1);
    const layers: Segment = [line.children && line.children.size > 0 ? layerSummary(line.children) : '', 'dim'];
    rows.push({
      done: event.done,
      segments: [[' '], mark(event, options.spinner), [` ${options.prefix}${event.resource.padEnd(width)}`], layers, ['  '], statusSegment(event), [event.detail ? ` ${event.detail}` : ''], ['  '], [`${seconds}s`, 'dim']],
    });
    // Layers show while their image is on its way, then fold into its line.
    if (line.children && !event.done) {
      for (const child of line.children.values()) {
        rows.push({ done: child.done, segments: [['   '], mark(child, options.spinner), [` ${child.resource} ${child.status}${child.detail ? ` ${child.detail}` : ''}`]] });
      }
    }
  }
  const title: Segment[] = [['[+]', 'blue'], [` ${options.title} ${finished}/${all.length}`]];
  const shown = options.final ? rows : fitHeight(rows, Math.max(3, options.rows || 24) - 2);
  return [title, ...shown.map((row) => row.segments)].map((segments) => fitWidth(segments, columns));
}

interface Row {
  readonly segments: Segment[];
  readonly done: boolean;
}

function toneOf(event: ProgressEvent): Tone {
  return event.failed ? 'failed' : STATUS_STYLE[event.status]?.tone ?? 'working';
}

/** The mark before a line, by tone: the spinner while working. */
function mark(event: ProgressEvent, spinner: string): Segment {
  return TONE_MARKS[toneOf(event)](spinner);
}

const TONE_MARKS: { readonly [T in Tone]: (spinner: string) => Segment } = {
  working: (spinner) => [spinner, 'blue'],
  done: () => ['✔', 'green'],
  failed: () => ['✘', 'red'],
  warning: () => ['!', 'yellow'],
  skipped: () => ['-', 'dim'],
};

function statusSegment(event: ProgressEvent): Segment {
  const tone = toneOf(event);
  return [event.status, tone === 'failed' ? 'red' : tone === 'warning' ? 'yellow' : undefined];
}

/** How far along a step is, 0-100: done is all, bytes say the rest. */
export function percentOf(event: ProgressEvent): number {
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

/**
 * At most `height` rows: when there are more, the rows finished first give way (then the oldest), and one row says
 * how many are not shown.
 */
function fitHeight(rows: readonly Row[], height: number): Row[] {
  if (rows.length <= height) return [...rows];
  if (height <= 0) return [];
  const excess = rows.length - (height - 1);
  const hidden = new Set<number>();
  for (let i = 0; i < rows.length && hidden.size < excess; i++) if (rows[i]!.done) hidden.add(i);
  for (let i = 0; i < rows.length && hidden.size < excess; i++) hidden.add(i);
  const finished = [...hidden].filter((i) => rows[i]!.done).length;
  const summary: Segment[] = [[' '], ['…', 'dim'], [` ${hidden.size} more`], [finished > 0 ? ` (${finished} done)` : '', 'dim']];
  return [{ segments: summary, done: false }, ...rows.filter((_row, i) => !hidden.has(i))];
}

/** The segments cut to `columns` characters (a cut line ends in `…`), so that no line wraps. */
function fitWidth(segments: readonly Segment[], columns: number): Segment[] {
  const room = columns - 1; // the last column is left free: some terminals wrap when it is written
  const shown = segments.filter(([text]) => text !== '');
  if (shown.reduce((length, [text]) => length + [...text].length, 0) <= room) return shown;
  let left = room - 1; // and one for the `…`
  const out: Segment[] = [];
  for (const [text, style] of shown) {
    if (left <= 0) break;
    const kept = [...text].slice(0, left);
    left -= kept.length;
    out.push(style ? [kept.join(''), style] : [kept.join('')]);
  }
  const last = out.pop() ?? [''];
  out.push(last[1] ? [`${last[0]}…`, last[1]] : [`${last[0]}…`]);
  return out;
}
