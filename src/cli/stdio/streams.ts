// A hijacked connection to a container's or an exec's streams, wired to the user's as the docker CLI wires them:
// the output copied to stdout (one raw stream on a terminal, else stdout and stderr from the multiplexed frames);
// the input, when asked for, copied in, and the connection's write side closed when it ends (so that the process
// reads EOF) while the output still flows; on a terminal, the input in raw mode and the detach keys watched for.
import type { Duplex } from 'node:stream';
import { detachScanner } from '../../engine-api/detach-keys.js';
import { copyRaw, demultiplex } from '../../engine-client/frames.js';
import type { InputStream } from './terminal.js';
import { rawInput } from './terminal.js';

export interface StreamIo {
  readonly stdin?: InputStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface StreamOptions {
  /** The process has a terminal: its output is one raw stream, and the user's terminal goes raw. */
  readonly tty: boolean;
  /** The user's input goes to the process (else the connection's write side is closed at once). */
  readonly stdin: boolean;
  /** On a terminal, this sequence in the input ends the attachment (the process keeps running). */
  readonly detachKeys?: Buffer;
}

/** How the streaming ended: the process's output ended, or the user typed the detach keys. */
export type StreamEnd = 'ended' | 'detached';

export async function pumpStreams(connection: Duplex, io: StreamIo, options: StreamOptions): Promise<StreamEnd> {
  const input = options.stdin ? io.stdin : undefined;
  const restore = options.tty ? rawInput(input) : () => {};
  let detach: (() => void) | undefined;
  const detached = new Promise<StreamEnd>((resolve) => (detach = () => resolve('detached')));
  const output = (options.tty ? copyRaw(connection, io.stdout) : demultiplex(connection, io.stdout, io.stderr)).then((): StreamEnd => 'ended');
  const scan = options.tty && options.detachKeys && options.detachKeys.length > 0 ? detachScanner(options.detachKeys) : undefined;
  const onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (scan) {
      const scanned = scan(data);
      data = scanned.forward;
      if (scanned.detached) {
        if (data.length > 0) connection.write(data);
        detach?.();
        return;
      }
    }
    if (data.length > 0) connection.write(data);
  };
  // No more input: the process reads EOF, and its output goes on until it ends.
  const onEnd = (): void => {
    connection.end();
  };
  if (input) {
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  } else {
    connection.end();
  }
  try {
    return await Promise.race([output, detached]);
  } finally {
    restore();
    if (input) {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
    }
    connection.destroy();
  }
}
