// What the apply stage reports: one event per change of a resource's state. Sinks decide how it looks.
export type Status =
  | 'Creating' | 'Created' | 'Recreate' | 'Recreated' | 'Starting' | 'Started' | 'Running' | 'Waiting' | 'Healthy'
  | 'Exited' | 'Stopping' | 'Stopped' | 'Removing' | 'Removed' | 'Restarting' | 'Restarted' | 'Killing' | 'Killed'
  | 'Pausing' | 'Paused' | 'Unpausing' | 'Unpaused' | 'Building' | 'Built' | 'Pulling' | 'Pulled' | 'Pushing' | 'Pushed'
  | 'Connecting'
  | 'Connected' | 'Disconnecting' | 'Disconnected' | 'Renaming' | 'Renamed' | 'Skipped' | 'Error' | 'Warning'
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

const FINAL = new Set<Status>([
  'Created', 'Recreated', 'Started', 'Running', 'Healthy', 'Exited', 'Stopped', 'Removed', 'Restarted', 'Killed', 'Paused',
  'Unpaused', 'Built', 'Pulled', 'Pushed', 'Connected', 'Disconnected', 'Renamed', 'Skipped', 'Error', 'Warning',
  'Download complete', 'Pull complete', 'Already exists', 'Layer already exists', 'Mounted from',
]);

export function progressEvent(resource: string, status: Status, detail?: string): ProgressEvent {
  return { resource, status, done: FINAL.has(status), ...(detail ? { detail } : {}), ...(status === 'Error' ? { failed: true } : {}) };
}
