// An archive a client sent, uncompressed as docker does it (the first bytes tell): gzip here, bzip2, xz and zstd
// by their programs. Anything else is passed on as it is (a plain tar, or garbage the tar reader refuses).
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { EngineError } from '../errors.js';

const PROGRAMS: ReadonlyArray<{ readonly magic: Buffer; readonly program: string; readonly name: string }> = [
  { magic: Buffer.from('BZh'), program: 'bzip2', name: 'bzip2' },
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), program: 'xz', name: 'xz' },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), program: 'zstd', name: 'zstd' },
];

export async function decompressed(input: Readable): Promise<Readable> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < 6) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const start = Buffer.concat(head);
  const whole = Readable.from(
    (async function* () {
      yield start;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  if (start[0] === 0x1f && start[1] === 0x8b) {
    const gunzip = createGunzip();
    const output = new PassThrough();
    gunzip.on('error', (error) => output.destroy(new EngineError('invalid', `invalid archive: gzip: ${error.message}`)));
    whole.on('error', (error) => output.destroy(error));
    whole.pipe(gunzip).pipe(output);
    return output;
  }
  const compressed = PROGRAMS.find(({ magic }) => start.subarray(0, magic.length).equals(magic));
  if (!compressed) return whole;
  const output = new PassThrough();
  const child = spawn(compressed.program, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.on('error', () => output.destroy(new EngineError('invalid', `the archive is ${compressed.name}-compressed: the engine host needs ${compressed.program} to read it`)));
  child.on('close', (code) => {
    if (code !== 0 && !output.destroyed) output.destroy(new EngineError('invalid', `invalid archive: ${compressed.name}: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`));
  });
  whole.on('error', (error) => {
    child.kill();
    output.destroy(error);
  });
  child.stdin.on('error', () => {}); // the program gone early: its exit says why
  whole.pipe(child.stdin);
  child.stdout.pipe(output);
  return output;
}
