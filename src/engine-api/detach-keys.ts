// Detach keys (`ctrl-p,ctrl-q` unless the client names others), as the `detachKeys` parameter of attach and exec
// spells them: on a terminal attach, that sequence in the client's input ends the attachment and leaves the
// container running. The engine watches for it, and so does the CLI (which must stop waiting). Never forwarded.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** `ctrl-p,ctrl-q`, `a,b`, `ctrl-@`, `ctrl-[`: the bytes; undefined when a key is not one of those forms. */
export function detachKeyBytes(keys: string): Buffer | undefined {
  const bytes: number[] = [];
  for (const key of keys.split(',')) {
    const control = /^ctrl-(.)$/.exec(key);
    if (control) {
      const code = control[1]!.charCodeAt(0);
      if (code >= 0x61 && code <= 0x7a) bytes.push(code - 0x60); // ctrl-a .. ctrl-z
      else if (code >= 0x40 && code <= 0x5f && code !== 0x41) bytes.push(code - 0x40); // ctrl-@ ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_
      else return undefined;
    } else if (key.length === 1) bytes.push(key.charCodeAt(0));
    else return undefined;
  }
  return Buffer.from(bytes);
}

/**
 * Watches input for the sequence: `scan` returns what to forward now, and whether the sequence was typed. Bytes that
 * could start the sequence are held until the next byte tells whether they were keys or data.
 */
export function detachScanner(sequence: Buffer): (chunk: Buffer) => { forward: Buffer; detached: boolean } {
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === sequence[matched]) {
        matched++;
        if (matched === sequence.length) return { forward: Buffer.from(out), detached: true };
        continue;
      }
      // Not the sequence after all: what was held goes through (it may start a new match itself).
      out.push(...sequence.subarray(0, matched));
      matched = byte === sequence[0] ? 1 : 0;
      if (matched === 0) out.push(byte);
    }
    return { forward: Buffer.from(out), detached: false };
  };
}
