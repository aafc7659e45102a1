// What the apply stage reports: one event per change of a resource's state. Sinks decide how it looks.
export type Status =
  | 'Creating' | 'Created' | 'Recreate' | 'Recreated' | 'Starting' | 'Started' | 'Running' | 'Waiting' | 'Healthy'
  | 'Exited' | 'Stopping' | 'Stopped' | 'Removing' | 'Removed' | 'Restarting' | 'Restarted' | 'Killing' | 'Killed'
  | 'Pausing' | 'Paused' | 'Unpausing' | 'Unpaused' | 'Building' | 'Built' | 'Pulling' | 'Pulled' | 'Pushing' | 'Pushed'
  | 'Connecting'
  | 'Connected' | 'Disconnecting' | 'Disconnected' | 'Renaming' | 'Renamed' | 'Skipped' | 'Error' | 'Warning'
  | 'Exporting' | 'Exported' | 'Committing' | 'Committed' | 'Copying' | 'Copied'
  | LayerStatus;

/** The steps of one layer of a pull or push, worded as the engine words them; Working for any other word. */
export type LayerStatus =
  | 'Preparing' | 'Waiting' | 'Pulling fs layer' | 'Downloading' | 'Verifying Checksum' | 'Download complete'
  | 'Extracting' | 'Pull complete' | 'Already exists' | 'Layer already exists' | 'Mounted from' | 'Working';

export interface ProgressEvent {
  /** `Container demo-web-1`, `Network demo_default`, `Volume demo_data`, `Image demo-web`. */
  readonly resource: string;
  readonly status: Status;
  readonly detail?: string;
  /** The step for this resource is over (its line stops spinning). */
  readonly done: boolean;
  readonly failed?: boolean;
  /** The resource this is a step of: a layer's image (`Image web:1`). Sinks show it with, or under, its parent. */
  readonly parent?: string;
  /** Bytes moved so far and in all, for a layer on its way. */
  readonly current?: number;
  readonly total?: number;
}

export interface ProgressSink {
  event(event: ProgressEvent): void;
  /** A free-form line (a warning) that must not break the display. */
  note(line: string): void;
  close(): void;
}

/** How a status reads: `final` (the step is over, its line stops spinning) and its tone. */
export type Tone = 'working' | 'done' | 'failed' | 'warning' | 'skipped';

/**
 * Every status, with how it reads: a table keyed by status, so that a status added to `Status` without an entry
 * here does not compile. Sinks take the done mark and colours from it.
 */
export const STATUS_STYLE: { readonly [S in Status]: { readonly final: boolean; readonly tone: Tone } } = {
  Creating: working(), Created: done(), Recreate: working(), Recreated: done(), Starting: working(), Started: done(),
  Running: done(), Waiting: working(), Healthy: done(), Exited: done(), Stopping: working(), Stopped: done(),
  Removing: working(), Removed: done(), Restarting: working(), Restarted: done(), Killing: working(), Killed: done(),
  Pausing: working(), Paused: done(), Unpausing: working(), Unpaused: done(), Building: working(), Built: done(),
  Pulling: working(), Pulled: done(), Pushing: working(), Pushed: done(), Connecting: working(), Connected: done(),
  Disconnecting: working(), Disconnected: done(), Renaming: working(), Renamed: done(),
  Exporting: working(), Exported: done(), Committing: working(), Committed: done(), Copying: working(), Copied: done(),
  Skipped: { final: true, tone: 'skipped' }, Error: { final: true, tone: 'failed' }, Warning: { final: true, tone: 'warning' },
  Preparing: working(), 'Pulling fs layer': working(), Downloading: working(), 'Verifying Checksum': working(),
  'Download complete': done(), Extracting: working(), 'Pull complete': done(), 'Already exists': done(),
  'Layer already exists': done(), 'Mounted from': done(), Working: working(),
};

function working(): { final: boolean; tone: Tone } {
  return { final: false, tone: 'working' };
}

function done(): { final: boolean; tone: Tone } {
  return { final: true, tone: 'done' };
}

export function progressEvent(resource: string, status: Status, detail?: string): ProgressEvent {
  return { resource, status, done: STATUS_STYLE[status].final, ...(detail ? { detail } : {}), ...(status === 'Error' ? { failed: true } : {}) };
}
