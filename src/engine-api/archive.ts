// The archive routes' description of one entry (`X-Docker-Container-Path-Stat`, base64 JSON on HEAD/GET
// /containers/{id}/archive): the engine writes it, the client reads it.

/** The entry at a path, as docker describes it; `mode` in Go's os.FileMode bits. */
export interface PathStat {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: string;
  readonly linkTarget: string;
}

/** Go's os.FileMode type bits (added, never OR-ed: JavaScript's bitwise operators are 32-bit signed). */
export const GO_MODE = {
  directory: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;
