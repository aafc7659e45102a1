// Container output as compose prints it: `web-1  | line`, names padded to one width, one colour per container.

const COLORS = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94'];

export interface LogPrinterOptions {
  readonly out: NodeJS.WritableStream;
  readonly color: boolean;
  readonly prefix: boolean;
}

export class LogPrinter {
  private width = 0;
  private readonly colors = new Map<string, string>();

  constructor(private readonly options: LogPrinterOptions) {}

  register(name: string): void {
    this.width = Math.max(this.width, name.length);
    if (!this.colors.has(name)) this.colors.set(name, COLORS[this.colors.size % COLORS.length]!);
  }

  line(name: string, text: string): void {
    if (!this.options.prefix) {
      this.options.out.write(`${text}\n`);
      return;
    }
    this.register(name);
    const label = `${name.padEnd(this.width)}  |`;
    const painted = this.options.color ? `\x1b[${this.colors.get(name)}m${label}\x1b[0m` : label;
    this.options.out.write(`${painted} ${text}\n`);
  }

  /** A line about a container rather than from it (`web-1 exited with code 0`). */
  status(name: string, text: string): void {
    this.register(name);
    const painted = this.options.color ? `\x1b[${this.colors.get(name)}m${name}\x1b[0m` : name;
    this.options.out.write(`${painted} ${text}\n`);
  }
}

/** How compose shows a container in log prefixes: its name without the project prefix. */
export function displayName(project: string, name: string): string {
  for (const separator of ['-', '_']) if (name.startsWith(`${project}${separator}`)) return name.slice(project.length + 1);
  return name;
}

// Reading a container's output line by line is shared with the library (src/app/container-logs.ts).
export { streamLogs } from '../app/container-logs.js';
export type { FollowOptions } from '../app/container-logs.js';
