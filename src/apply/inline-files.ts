// Secrets and configs that hold their data (`environment:`, `content:`) written into a created container before it
// starts, as compose does: one tar of the files at their absolute targets, unpacked at `/`, each with its mode and
// owner from the service's entry (kept as the archive says: copyUIDGID would hand them to the container's user).
import type { Readable } from 'node:stream';
import type { Engine } from '../engine-client/index.js';
import type { InlineFile } from './convert/secrets.js';

export async function writeInlineFiles(engine: Pick<Engine, 'containers'>, id: string, files: readonly InlineFile[]): Promise<void> {
  if (files.length === 0) return;
  // Loaded on first use: most containers have no such files, and a no-op up creates none.
  const tar = await import('tar-stream');
  const pack = tar.pack();
  const now = new Date();
  for (const file of files) {
    pack.entry({ name: file.target.replace(/^\/+/, ''), type: 'file', mode: file.mode, uid: file.uid, gid: file.gid, mtime: now }, Buffer.from(file.content, 'utf8'));
  }
  pack.finalize();
  await engine.containers.putArchive(id, '/', pack as unknown as Readable);
}
