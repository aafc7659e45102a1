// What the builder reads of the image a step starts from: files and directories of its layers, each looked up
// inside the layer (an image whose /etc/passwd links to /etc/shadow names its own /etc/shadow, not the host's).
import { closeSync, fchmodSync, fchownSync } from 'node:fs';
import { posix } from 'node:path';
import { PathError, readFileUnder, RootDir, statUnder } from '../../store/in-root.js';

/** /etc/passwd and /etc/group bigger than this are refused rather than read. */
const MAX_FILE = 16 * 1024 * 1024;

/** A file of the image, from the highest layer that has it ('' when none does). `layers` lowest first. */
export function imageFile(layers: readonly string[], path: string): string {
  for (const layer of [...layers].reverse()) {
    const content = readFileUnder(layer, path, MAX_FILE);
    if (content !== undefined) return content.toString('utf8');
  }
  return '';
}

export function isDirectoryInImage(layers: readonly string[], path: string): boolean {
  return layers.some((layer) => statUnder(layer, path)?.isDirectory() ?? false);
}

/** Directories above `target` in the new layer that the image has keep the image's owner and mode. */
export function keepParentMetadata(layers: readonly string[], layerDir: string, target: string): void {
  const highestFirst = [...layers].reverse();
  RootDir.withSync(layerDir, (layer) => {
    for (let path = posix.dirname(target); path !== '/' && path !== '.'; path = posix.dirname(path)) {
      const info = highestFirst.map((lower) => statUnder(lower, path)).find((found) => found !== undefined);
      if (!info?.isDirectory()) continue;
      try {
        layer.with(path, {}, (location) => {
          if (location.entry.kind !== 'directory') return;
          const fd = location.openDirectory();
          try {
            fchownSync(fd, info.uid, info.gid);
            fchmodSync(fd, info.mode & 0o7777);
          } finally {
            closeSync(fd);
          }
        });
      } catch (error) {
        if (!(error instanceof PathError)) throw error; // not in the new layer: nothing to keep
      }
    }
  });
}
