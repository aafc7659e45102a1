// `POST /containers/{id}/exec` and `POST /exec/{id}/start`.
import { boolean, integer, list, object, path, string } from './describe.js';
import type { WireType } from './describe.js';

export const ExecCreate = object({
  AttachStdin: boolean(),
  AttachStdout: boolean(),
  AttachStderr: boolean(),
  ConsoleSize: list(integer({ min: 0, max: 65535 }), { max: 2 }),
  DetachKeys: string({ max: 64 }),
  Tty: boolean(),
  Env: list(string()),
  Cmd: list(string()),
  Privileged: boolean(),
  User: string({ max: 512 }),
  WorkingDir: path(),
});

export const ExecStart = object({
  Detach: boolean(),
  Tty: boolean(),
  ConsoleSize: list(integer({ min: 0, max: 65535 }), { max: 2 }),
});

export type ExecCreateBody = WireType<typeof ExecCreate>;
export type ExecStartBody = WireType<typeof ExecStart>;
