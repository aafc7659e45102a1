// The live display on a terminal: a listr2 task list whose renderer draws compose's block (`[+] Running 2/3` and one
// line per resource) from the board the sink fills, painted with chalk. Loaded only when progress goes to a terminal
// (sinks.ts imports it on demand), so that commands writing elsewhere never load listr2 or chalk.
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import { Listr, Spinner } from 'listr2';
import type { ListrRenderer } from 'listr2';
import { frame } from './board.js';
import type { Board, Segment } from './board.js';

export interface Terminal {
  write(text: string): unknown;
  /** The terminal's size, read again at every drawing (a tty stream keeps them current on a resize). */
  readonly columns?: number;
  readonly rows?: number;
}

export interface DisplayOptions {
  readonly board: Board;
  readonly stream: Terminal;
  readonly color: boolean;
  readonly title?: string;
  /** Put before each resource (a dry run's marker). */
  readonly prefix?: string;
  readonly clock: { now(): number };
  /** How often the block is drawn again while the display is live; 0 draws only on notes and on close (tests). */
  readonly interval?: number;
}

export interface Display {
  /** A free-form line (a warning) written above the block. */
  note(line: string): void;
  /** Draws the last drawing, with every line, and ends the task list. */
  close(): void;
}

/**
 * Runs one listr2 task list for the display's lifetime: its single task lasts until `close()`, and its renderer is
 * `BlockRenderer`, which draws the board. listr2's own renderers are not used: they size lines by stdout (progress is
 * on stderr), have no height cap, time tasks with their own clock and hold back other output until they end.
 */
export function createDisplay(options: DisplayOptions): Display {
  const block = new Block(options);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const list = new Listr([{ task: () => finished }], {
    renderer: BlockRenderer,
    rendererOptions: { block, interval: options.interval ?? 100 },
    // berth handles Ctrl-C itself; listr2's handler would exit the process.
    registerSignalListeners: false,
    exitOnError: false,
  });
  // The list ends when `close()` resolves its task; it has nothing that can fail.
  void list.run();
  return {
    note: (line) => block.note(line),
    close: () => {
      // The last drawing is made now, not when the list winds down a few promise turns later, so that whatever the
      // command writes next (its error) comes after the block.
      block.finish();
      finish();
    },
  };
}

interface BlockRendererOptions {
  readonly block: Block;
  readonly interval: number;
}

/** listr2's renderer interface, drawing the board: a spinner turn and a drawing every `interval` ms until the end. */
class BlockRenderer implements ListrRenderer {
  // The caller has decided that progress goes to a terminal (which may be stderr alone), not listr2 from stdout.
  static nonTTY = true;
  static rendererOptions: Record<PropertyKey, unknown> = {};
  static rendererTaskOptions: Record<PropertyKey, unknown> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(_tasks: unknown, private readonly options: BlockRendererOptions) {}

  render(): void {
    const { block, interval } = this.options;
    if (interval <= 0) return;
    this.timer = setInterval(() => block.tick(), interval);
    // A sink left open must not keep the process alive.
    this.timer.unref();
  }

  end(): void {
    clearInterval(this.timer);
    this.options.block.finish();
  }
}

/** The block on the terminal: how many lines the last drawing took, so that the next one goes over it. */
class Block {
  /** The width, in characters, of each line of the last drawing: how many rows it takes now depends on the width. */
  private drawn: number[] = [];
  private done = false;
  private readonly spinner = new Spinner();
  private readonly chalk: ChalkInstance;

  constructor(private readonly options: DisplayOptions) {
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
  }

  tick(): void {
    this.spinner.spin();
    this.draw(false);
  }

  note(line: string): void {
    if (this.done) {
      this.options.stream.write(`${line}\n`);
      return;
    }
    // Warnings go above the live block, which is drawn again below them: the note and the block cover every line the
    // block held, so each line is overwritten rather than the screen cleared (tmux moves a screen cleared from its
    // top into the scrollback).
    this.options.stream.write(`${this.backOver()}${line.split('\n').map((part) => `\x1b[2K${part}`).join('\n')}\n\x1b[J`);
    this.drawn = [];
    this.draw(false);
  }

  finish(): void {
    if (this.done) return;
    this.draw(true);
    this.done = true;
  }

  private draw(final: boolean): void {
    const { board, stream } = this.options;
    if (this.done || board.size === 0) return;
    const lines = frame(board, {
      now: this.options.clock.now(),
      spinner: this.spinner.fetch(),
      title: this.options.title ?? 'Running',
      prefix: this.options.prefix ?? '',
      columns: stream.columns ?? 0,
      rows: stream.rows ?? 0,
      final,
    });
    const text = lines.map((segments) => `\x1b[2K${this.paint(segments)}`).join('\n');
    // Erasing below the block clears what a drawing that took more rows (before a resize) left there.
    stream.write(`${this.backOver()}${text}\n\x1b[J`);
    this.drawn = lines.map((segments) => segments.reduce((width, [piece]) => width + [...piece].length, 0));
  }

  /**
   * Moves back up to the first row of the last drawing. A terminal made narrower since reflows the lines it held
   * (tmux, VTE, kitty, iTerm2 and Windows Terminal do) into more rows each, so each line counts for the rows it
   * takes at the width the terminal has now.
   */
  private backOver(): string {
    const columns = this.options.stream.columns || 80;
    const rows = this.drawn.reduce((sum, width) => sum + Math.max(1, Math.ceil(width / columns)), 0);
    return rows > 0 ? `\x1b[${rows}F` : '';
  }

  private paint(segments: readonly Segment[]): string {
    return segments.map(([text, style]) => (style ? this.chalk[style](text) : text)).join('');
  }
}
