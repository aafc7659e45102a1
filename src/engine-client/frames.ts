// The Engine API's multiplexed stream (attach, exec and logs of a container without a terminal): frames of an
// 8-byte header (stream type, three zero bytes, a big-endian payload length) and the payload. Type 1 is stdout,
// 2 stderr, 3 an error from the engine itself (written to stderr, as the docker CLI does).

export type FrameStream = 'stdin' | 'stdout' | 'stderr' | 'system';

const STREAMS: readonly FrameStream[] = ['stdin', 'stdout', 'stderr', 'system'];
const HEADER = 8;

/** Cuts a byte stream into frames, whatever the chunk boundaries: feed it chunks, it calls `onFrame`. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: FrameStream, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) return;
      // An unknown type is stdout, as the docker CLI reads it.
      const stream = STREAMS[this.pending[0]!] ?? 'stdout';
      this.onFrame(stream, this.pending.subarray(HEADER, HEADER + size));
      this.pending = this.pending.subarray(HEADER + size);
    }
  }

  /** Bytes of an incomplete frame left when the stream ended. */
  get leftover(): number {
    return this.pending.length;
  }
}

/**
 * Copies a multiplexed stream to stdout and stderr until it ends, holding the source back while a destination is
 * full. Resolves when the source has ended (or closed).
 */
export function demultiplex(source: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader((stream, payload) => {
      const target = stream === 'stdout' ? stdout : stderr;
      if (!target.write(payload)) {
        source.pause();
        target.once('drain', () => source.resume());
      }
    });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      resolve();
    };
    source.on('data', (chunk: Buffer) => reader.push(chunk));
    source.on('end', finish);
    source.on('close', finish);
    source.on('error', (error) => {
      if (!finished) reject(error);
    });
  });
}

/** Copies a terminal's raw stream to one destination until it ends. */
export function copyRaw(source: NodeJS.ReadableStream, destination: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      resolve();
    };
    source.on('data', (chunk: Buffer) => {
      if (!destination.write(chunk)) {
        source.pause();
        destination.once('drain', () => source.resume());
      }
    });
    source.on('end', finish);
    source.on('close', finish);
    source.on('error', (error) => {
      if (!finished) reject(error);
    });
  });
}
