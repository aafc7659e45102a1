// berth as a library: `import { up, http } from 'berth'`. Nothing here prints or reads the command line.
export { up } from './up.js';
export type { UpOptions } from './up.js';
export { Stack } from './stack.js';
export type { ContainerChoice, ContainerStatus, DownOptions, ExecOptions, ExecResult, PortOptions, PublishedPort, ServiceStatus, WaitOptions } from './stack.js';
export { exited, healthy, http, listening, logLine, WaitError } from './wait.js';
export type { WaitContext, WaitStrategy } from './wait.js';
export type { LogLine, LogsOptions } from './logs.js';
export type { Address, Protocol } from './ports.js';
export { ServicesWaitError } from '../apply/start.js';
export type { ContainerWait, WaitCondition, WaitOutcome } from '../apply/start.js';
export { BerthError } from '../model/errors.js';
export type { ErrorKind, SourcePosition } from '../model/errors.js';
export type { ProgressEvent, Status } from '../progress/events.js';
