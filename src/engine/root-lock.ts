// One engine per root. Two engines on one root would adopt the same containers, restart them twice, hand out the
// same addresses and write the same records. The lock is a Linux abstract unix socket named after the root: the
// kernel frees it the moment its holder dies (kill -9 included), so there is never a stale lock to guess about;
// connecting to it tells the holder's pid. The holder's pid also goes to <root>/engine.pid, for people and for
// the CLI that started the engine.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { conflict } from './errors.js';
import { writeTextAtomic } from './store/files.js';

export interface RootLock {
  /** Lets go of the root (the pid file goes too, if it still names this process). */
  release(): Promise<void>;
}

/** The lock's name: the same for every path that leads to the root (links resolved). */
export function lockName(root: string): string {
  return `\0berth-engine:${createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 32)}`;
}

/** Takes the root for this process, or fails (a conflict naming the holder) while another engine has it. */
export async function lockRoot(root: string): Promise<RootLock> {
  const name = lockName(root);
  const server = createServer((socket) => socket.end(`${process.pid}\n`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const holder = await holderOf(name);
    throw conflict(`another berth engine${holder ? ` (pid ${holder})` : ''} is running on ${root}: one engine per root`);
  }
  server.unref();
  const pidFile = join(root, 'engine.pid');
  writeTextAtomic(pidFile, `${process.pid}\n`);
  return {
    async release() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile);
      } catch {
        // gone already
      }
    },
  };
}

/** The pid the lock's holder answers with, if it answers. */
function holderOf(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection(name);
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(Number(text.trim()) || undefined));
  });
}
