import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from './errors.js';
import { parseDotEnv, parseRawEnvFile, readEnvFile } from './dotenv.js';

const none = (): undefined => undefined;
const parse = (text: string, env: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(parseDotEnv(text, '.env', (name) => env[name]));

test('plain lines, export prefix, colon separator, blank lines and comments', () => {
  assert.deepEqual(parse('# comment\n\nA=1\nexport B=two\nC: three\n  D = four  \n'), { A: '1', B: 'two', C: 'three', D: 'four' });
});

test('an unquoted value ends at " #"; a # without a space before it is part of the value', () => {
  assert.deepEqual(parse('A=value # note\nB=a#b\n'), { A: 'value', B: 'a#b' });
});

test('single quotes are literal; double quotes take escapes and may span lines', () => {
  assert.deepEqual(parse(`A='$B \\n x'\nB="line1\\nline2 \\"q\\""\nC="multi\nline"\n`), {
    A: '$B \\n x',
    B: 'line1\nline2 "q"',
    C: 'multi\nline',
  });
});

test('a comment after a closing quote is ignored; an empty value is empty', () => {
  assert.deepEqual(parse('A="x" # c\nB=\nC=""\n'), { A: 'x', B: '', C: '' });
});

test('values interpolate the caller environment first, then earlier lines of the file', () => {
  assert.deepEqual(parse('HOST=local\nURL=http://${HOST}:${PORT:-80}\nQ="$HOST"\nR=\'$HOST\'\n', { HOST: 'shell' }), {
    HOST: 'local',
    URL: 'http://shell:80',
    Q: 'shell',
    R: '$HOST',
  });
  assert.deepEqual(parse('A=1\nB=${A}2\n'), { A: '1', B: '12' });
  assert.deepEqual(parse('A="cost \\$5"\n'), { A: 'cost $5' });
});

test('a bare name inherits the caller value, and is absent without one', () => {
  assert.deepEqual(parse('FROM_SHELL\nMISSING\n', { FROM_SHELL: 'yes' }), { FROM_SHELL: 'yes' });
});

test('a byte order mark and CRLF endings are tolerated', () => {
  assert.deepEqual(parse('\uFEFFA=1\r\nB=2\r\n'), { A: '1', B: '2' });
});

test('errors name the file and line: a bad key character, an unterminated quote', () => {
  assert.throws(
    () => parseDotEnv('A=1\nB C=2\n', 'x.env', none),
    (error: unknown) => error instanceof BerthError && /^x\.env:2: unexpected character " "/.test(error.describe()),
  );
  assert.throws(() => parseDotEnv('A="open\n', 'x.env', none), /unterminated quoted value/);
});

test('readEnvFile reads a file, and a missing file is a not-found error naming it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dotenv-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'a.env'), 'A=1\n');
  assert.deepEqual(Object.fromEntries(readEnvFile(join(dir, 'a.env'), none)), { A: '1' });
  assert.throws(
    () => readEnvFile(join(dir, 'missing.env'), none),
    (error: unknown) => error instanceof BerthError && error.kind === 'not-found' && error.message.includes('missing.env'),
  );
});

test('raw env files keep values exactly as written', () => {
  assert.deepEqual(Object.fromEntries(parseRawEnvFile('# c\nA="quoted" $X\nB= x \n', 'raw.env')), { A: '"quoted" $X', B: ' x ' });
});
