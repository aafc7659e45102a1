// Moving one image between the engine and a registry, with its progress: the image's line (`Image web:1 Pulling`,
// `Pulled`) and, unless quiet, a line per layer under it. Credentials come with the engine client.
import type { Engine } from '../engine-client/index.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressEvent, ProgressSink } from '../progress/events.js';
import { layerEvent } from '../progress/layers.js';

export interface TransferOptions {
  /** No layer lines (`--quiet-pull`). */
  readonly quiet: boolean;
  /** The caller can make up for a failure (a build, the copy already there): it shows as a warning, as in compose. */
  readonly fallback: boolean;
}

/** Pulls one image under `Image <reference>`; returns the failure, if any (the caller decides what it means). */
export async function pullImage(engine: Engine, reference: string, platform: string | undefined, sink: ProgressSink, options: TransferOptions): Promise<Error | undefined> {
  const resource = `Image ${reference}`;
  sink.event(progressEvent(resource, 'Pulling'));
  try {
    await engine.images.pull(reference, {
      ...(platform ? { platform } : {}),
      ...(options.quiet ? {} : { onProgress: (message) => forward(sink, layerEvent(resource, message, 'pull')) }),
    });
  } catch (error) {
    return failed(sink, resource, error, options.fallback);
  }
  sink.event(progressEvent(resource, 'Pulled'));
  return undefined;
}

/** Pushes one tag, its line named by the tag as compose names it; returns the failure, if any. */
export async function pushImage(engine: Engine, tag: string, sink: ProgressSink, options: TransferOptions): Promise<Error | undefined> {
  sink.event(progressEvent(tag, 'Pushing'));
  try {
    await engine.images.push(tag, options.quiet ? {} : { onProgress: (message) => forward(sink, layerEvent(tag, message, 'push')) });
  } catch (error) {
    return failed(sink, tag, error, options.fallback);
  }
  sink.event(progressEvent(tag, 'Pushed'));
  return undefined;
}

function failed(sink: ProgressSink, resource: string, error: unknown, fallback: boolean): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  sink.event(progressEvent(resource, fallback ? 'Warning' : 'Error', failure.message));
  return failure;
}

function forward(sink: ProgressSink, event: ProgressEvent | undefined): void {
  if (event) sink.event(event);
}
