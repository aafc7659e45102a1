// Columns as docker's CLI aligns them (Go's tabwriter: minimum width 20, padding 3; the last column is not padded).
export function formatTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      if (column < row.length - 1) widths[column] = Math.max(widths[column] ?? 20, [...cell].length + 3);
    });
  }
  return rows
    .map((row) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]! + cell.length - [...cell].length) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}
