// The user's terminal, as exec, run and attach need it: whether input and output are terminals, the size of the
// output's, raw mode on the input (keys go to the container's terminal as typed, Ctrl-C included), and the size
// changes (SIGWINCH) that the container's terminal must follow.
import { spawnSync } from 'node:child_process';

/** process.stdin, or a stand-in in tests. */
export type InputStream = NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown };

type TerminalOutput = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly rows?: number; readonly columns?: number };

export function isTerminal(stream: unknown): boolean {
  return Boolean((stream as { isTTY?: boolean } | undefined)?.isTTY);
}

/** [rows, columns] of the output's terminal; undefined when it is not one. */
export function terminalSize(output: NodeJS.WritableStream): [number, number] | undefined {
  const terminal = output as TerminalOutput;
  if (!terminal.isTTY || !terminal.rows || !terminal.columns) return undefined;
  return [terminal.rows, terminal.columns];
}

/** Puts the input's terminal in raw mode; returns the function that restores it (safe to call twice). */
export function rawInput(input: InputStream | undefined): () => void {
  if (!input?.isTTY || !input.setRawMode) return () => {};
  input.setRawMode(true);
  // libuv's raw mode keeps output processing (\n -> \r\n) on; the container's terminal already does it, so the
  // docker CLI's raw mode (cfmakeraw) turns it off. Leaving raw mode restores the whole saved state.
  if ((input as { fd?: number }).fd === 0) spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    input.setRawMode?.(false);
  };
}

/** Calls `onSize` with the output terminal's size each time it changes; returns the function that stops watching. */
export function watchSize(output: NodeJS.WritableStream, onSize: (rows: number, columns: number) => void): () => void {
  if (!(output as TerminalOutput).isTTY) return () => {};
  const changed = (): void => {
    const size = terminalSize(output);
    if (size) onSize(...size);
  };
  output.on('resize', changed);
  return () => output.off('resize', changed);
}
