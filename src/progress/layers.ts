// A pull's or push's per-layer progress, from the engine's messages to progress events under the image's line,
// with the rules compose applies (toPullProgressEvent, toPushProgressEvent): a pull shows only messages about a
// layer that carry progress details, a push every message about a layer.
import type { LayerStatus, ProgressEvent, ProgressSink } from './events.js';

/** One message of the engine's stream, as the engine client hands it over. */
export interface TransferMessage {
  readonly id?: string;
  readonly status: string;
  readonly hasDetail: boolean;
  readonly current?: number;
  readonly total?: number;
}

const PHASES = new Set<string>([
  'Preparing', 'Waiting', 'Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting',
  'Pull complete', 'Already exists', 'Layer already exists',
]);

const DONE = new Set<string>(['Download complete', 'Pull complete', 'Already exists', 'Layer already exists', 'Pushed', 'Mounted from']);

/** The event for a layer's message, or undefined for messages compose does not show (image-wide lines). */
export function layerEvent(parent: string, message: TransferMessage, kind: 'pull' | 'push'): ProgressEvent | undefined {
  if (message.id === undefined || (kind === 'pull' && !message.hasDetail)) return undefined;
  // Older engines write "waiting" in lower case; "Mounted from library/x" names the repository it came from.
  const written = message.status === 'waiting' ? 'Waiting' : message.status;
  let status: LayerStatus | 'Pushing' | 'Pushed';
  let detail = '';
  if (PHASES.has(written) || written === 'Pushing' || written === 'Pushed') status = written as LayerStatus;
  else if (written.startsWith('Mounted from ')) {
    status = 'Mounted from';
    detail = written.slice('Mounted from '.length);
  } else {
    status = 'Working';
    detail = written;
  }
  const moving = message.current !== undefined && message.current > 0;
  if (moving && detail === '') detail = message.total ? `${humanSize(message.current!)}/${humanSize(message.total)}` : humanSize(message.current!);
  return {
    resource: message.id,
    parent,
    status,
    done: DONE.has(status),
    ...(detail ? { detail } : {}),
    ...(moving ? { current: message.current! } : {}),
    ...(message.total ? { total: message.total } : {}),
  };
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Sizes as docker prints them (go-units HumanSize): decimal units, four significant digits. */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${UNITS[unit]}`;
}

/** `--quiet-pull`: the same display without the layers' lines (the images' own lines stay). */
export function withoutLayers(sink: ProgressSink): ProgressSink {
  return { event: (event) => (event.parent === undefined ? sink.event(event) : undefined), note: (line) => sink.note(line), close: () => sink.close() };
}
