// Go's text/tabwriter as docker's CLI configures it (no flags, ' ' as padding character): cells end with a tab; a
// column is as wide as its widest cell plus the padding (never below the minimum width) over each run of
// consecutive lines that have that column; the last cell of a line is not aligned; a line without tabs ends every
// column.

export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

/** docker/cli's formatter (`ps --format table ...`): tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

const width = (cell: string): number => [...cell].length;

export function tabwrite(text: string, options: TabwriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  let start = 0;
  lines.forEach((cells, index) => {
    // A line of one cell flushes: no column spans across it.
    if (cells.length === 1) {
      out.push(...formatLines(lines.slice(start, index + 1), options));
      start = index + 1;
    }
  });
  out.push(...formatLines(lines.slice(start), options));
  return out.join('\n');
}

function formatLines(lines: readonly string[][], options: TabwriterOptions): string[] {
  const out: string[] = lines.map(() => '');
  const widths: number[] = [];
  // Go's recursive block formatting: columns are sized over the runs of lines that reach them.
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let at = line0;
    while (at < line1) {
      if (column >= lines[at]!.length - 1) {
        writeLines(at, at + 1);
        at++;
        continue;
      }
      const blockStart = at;
      let columnWidth = options.minWidth;
      for (; at < line1 && column < lines[at]!.length - 1; at++) columnWidth = Math.max(columnWidth, width(lines[at]![column]!) + options.padding);
      widths.push(columnWidth);
      format(blockStart, at);
      widths.pop();
    }
  };
  const writeLines = (from: number, to: number): void => {
    for (let index = from; index < to; index++) {
      out[index] = lines[index]!
        .map((cell, column) => (column < widths.length && column < lines[index]!.length - 1 ? cell + ' '.repeat(Math.max(0, widths[column]! - width(cell))) : cell))
        .join('');
    }
  };
  format(0, lines.length);
  return out;
}
