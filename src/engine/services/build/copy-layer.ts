// What a COPY or ADD writes into its step's new layer: each source (resolved inside its own root) placed at its
// destination resolved inside the layer, both sides through in-root.ts, so that a link among the sources, or one
// that an earlier source put in the layer, never leads a write out of it; ADD's local archives unpacked the same
// way. Owner and modes are set as the files are placed (--chown, --chmod), not by a later pass over paths.
import { closeSync, createReadStream, fchmodSync, fchownSync, fstatSync, readSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import { decompressed } from '../../store/decompress.js';
import { RootDir } from '../../store/in-root.js';
import type { Location } from '../../store/in-root.js';
import { copyInto, extractInto } from '../../store/root-archive.js';
import type { Source } from './sources.js';

export interface CopyPlan {
  readonly sources: readonly Source[];
  /** The destination in the image: absolute and normalized (no `..` left). */
  readonly target: string;
  /** The destination is a directory the sources go into (else the one source becomes it). */
  readonly intoDirectory: boolean;
  /** ADD: local tar archives (plain, gzip, bzip2, xz) are unpacked at the destination. */
  readonly unpackArchives: boolean;
  readonly heredocs: ReadonlyArray<{ readonly name: string; readonly body: string }>;
  readonly owner: { readonly uid: number; readonly gid: number };
  readonly mode?: number;
}

/** Writes the plan's files into `layerDir` (a fresh directory of the build's own). */
export async function writeCopyLayer(layerDir: string, plan: CopyPlan): Promise<void> {
  const options = { owner: plan.owner, ...(plan.mode !== undefined ? { mode: plan.mode } : {}) };
  const into = (name: string): string => (plan.intoDirectory ? posix.join(plan.target, name) : plan.target);
  await RootDir.with(layerDir, async (layer) => {
    layer.with(plan.intoDirectory ? plan.target : posix.dirname(plan.target), { create: true }, (location) => {
      if (!location.exists) location.mkdir(0o755);
    });
    for (const source of plan.sources) {
      await RootDir.with(source.root, async (root) => {
        const location = root.find(source.path, { follow: true });
        try {
          if (plan.unpackArchives && !source.isDirectory && isArchive(location)) {
            const archive = createReadStream(null as unknown as string, { fd: location.openFile() });
            await extractInto(layer, plan.target, await decompressed(archive), options);
          } else if (source.isDirectory) {
            await copyInto(location, '.', layer, plan.target, options);
          } else {
            const destination = into(posix.basename(source.name) || posix.basename(source.path));
            await copyInto(location, posix.basename(destination), layer, posix.dirname(destination), options);
          }
        } finally {
          location.close();
        }
      });
    }
    for (const { name, body } of plan.heredocs) {
      layer.with(into(name), { create: true }, (location) => {
        if (location.exists) location.remove();
        const fd = location.createFile(0o644);
        try {
          writeAllSync(fd, Buffer.from(body));
          fchownSync(fd, plan.owner.uid, plan.owner.gid);
          if (plan.mode !== undefined) fchmodSync(fd, plan.mode);
        } finally {
          closeSync(fd);
        }
      });
    }
  });
}

/** A local tar archive (plain, gzip, bzip2 or xz) that ADD unpacks: its first bytes tell. */
function isArchive(location: Location): boolean {
  const fd = location.openFile();
  try {
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(262);
    const bytesRead = readSync(fd, head, 0, 262, 0);
    if (bytesRead >= 3 && head[0] === 0x1f && head[1] === 0x8b) return true;
    if (bytesRead >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return true;
    if (bytesRead >= 6 && head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    closeSync(fd);
  }
}

function writeAllSync(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
}
