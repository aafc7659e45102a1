// The Engine API's wire shapes, shared by berth's client (src/apply/convert/ builds these bodies) and berth's engine
// (which reads them): neutral ground that imports neither.
export { WireError, readBody } from './describe.js';
export type { Descriptor, WireType, WireKind } from './describe.js';
export * from './containers.js';
export * from './networks.js';
export * from './volumes.js';
export * from './exec.js';
export * from './build.js';
export * from './archive.js';
