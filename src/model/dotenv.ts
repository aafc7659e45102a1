// The `.env` / `env_file` format as compose reads it: KEY=VALUE lines, quotes, escapes, comments and interpolation.
import { BerthError } from './errors.js';
import { DISK } from './files.js';
import type { ProjectFiles } from './files.js';
import { RESERVED_KEY } from './keys.js';
import { interpolationBudget, substitute } from './interpolate.js';
import type { LookupEnv } from './interpolate.js';

/** Variables in file order. A bare `KEY` line takes the caller's value and is left out when there is none. */
export type EnvValues = Map<string, string>;

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };
const KEY_CHAR = /[\p{L}\p{N}_.\-[\]]/u;

export function parseDotEnv(text: string, file: string, lookup: LookupEnv): EnvValues {
  const values: EnvValues = new Map();
  // Values are interpolated with the caller's environment first, then with what this file defined before.
  const resolve: LookupEnv = (name) => lookup(name) ?? values.get(name);
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let pos = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new BerthError(message, { position: { file, line } });
  };
  const budget = interpolationBudget();
  const interpolate = (value: string): string => {
    try {
      return substitute(value, resolve, budget);
    } catch (error) {
      return fail((error as Error).message);
    }
  };

  while (pos < source.length) {
    // Skip blank space and comment lines.
    const char = source[pos]!;
    if (char === '\n') {
      line++;
      pos++;
      continue;
    }
    if (/\s/.test(char)) {
      pos++;
      continue;
    }
    if (char === '#') {
      const end = source.indexOf('\n', pos);
      pos = end < 0 ? source.length : end;
      continue;
    }

    let statement = source.slice(pos);
    const exported = /^export\s+/.exec(statement);
    if (exported) {
      pos += exported[0].length;
      statement = source.slice(pos);
    }
    const keyEnd = statement.search(/[=:\n]/);
    const rawKey = (keyEnd < 0 ? statement : statement.slice(0, keyEnd)).trimEnd();
    const separator = keyEnd < 0 ? '' : statement[keyEnd];
    for (const keyChar of rawKey) {
      if (!KEY_CHAR.test(keyChar)) {
        fail(`unexpected character "${keyChar}" in variable name "${statement.split('\n')[0]}"`);
      }
    }
    if (rawKey === RESERVED_KEY) fail(`the variable name "${RESERVED_KEY}" is not allowed`);
    if (separator !== '=' && separator !== ':') {
      // A bare name: inherited from the caller when it has one.
      const inherited = lookup(rawKey);
      if (inherited !== undefined) values.set(rawKey, inherited);
      pos += keyEnd < 0 ? statement.length : keyEnd;
      continue;
    }
    pos += keyEnd + 1;
    while (pos < source.length && (source[pos] === ' ' || source[pos] === '\t')) pos++;

    const quote = source[pos];
    if (quote === '"' || quote === "'") {
      const { value, end, lines } = readQuoted(source, pos, quote) ?? fail(`unterminated quoted value ${source.slice(pos).split('\n')[0]}`);
      values.set(rawKey, quote === '"' ? interpolate(value) : value);
      line += lines;
      pos = end + 1;
      // Whatever follows the closing quote on that line (a comment) is ignored.
      const eol = source.indexOf('\n', pos);
      pos = eol < 0 ? source.length : eol;
    } else {
      const eol = source.indexOf('\n', pos);
      let value = source.slice(pos, eol < 0 ? source.length : eol);
      const comment = value.indexOf(' #');
      if (comment >= 0) value = value.slice(0, comment);
      values.set(rawKey, interpolate(value.trimEnd()));
      pos = eol < 0 ? source.length : eol;
    }
  }
  return values;
}

/** A quoted value: single quotes are literal; double quotes take backslash escapes and may span lines. */
function readQuoted(source: string, start: number, quote: string): { value: string; end: number; lines: number } | undefined {
  let value = '';
  let lines = 0;
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\n') lines++;
    if (char === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      if (next === quote) {
        value += next;
        i++;
        continue;
      }
      if (quote === '"' && next === '$') {
        value += '$$'; // stays a literal dollar through interpolation
        i++;
        continue;
      }
      if (quote === '"' && ESCAPES[next] !== undefined) {
        value += ESCAPES[next];
        i++;
        continue;
      }
      value += char;
      continue;
    }
    if (char === quote) return { value, end: i, lines };
    value += char;
  }
  return undefined;
}

export function readEnvFile(path: string, lookup: LookupEnv, disk: Pick<ProjectFiles, 'readText'> = DISK): EnvValues {
  let text: string;
  try {
    text = disk.readText(path);
  } catch (cause) {
    if (cause instanceof BerthError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BerthError(`env file ${path} not found`, { kind: 'not-found', position: { file: path } });
    }
    throw new BerthError(`cannot read env file ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseDotEnv(text, path, lookup);
}

/** `format: raw` env files: each `KEY=VALUE` line taken literally, no quotes, escapes or interpolation. */
export function parseRawEnvFile(text: string, file: string): EnvValues {
  const values: EnvValues = new Map();
  text.split('\n').forEach((line, index) => {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed.trim() === '' || trimmed.trimStart().startsWith('#')) return;
    const equals = trimmed.indexOf('=');
    if (equals < 0) return;
    const key = trimmed.slice(0, equals).trim();
    if (key === RESERVED_KEY) {
      throw new BerthError(`the variable name "${RESERVED_KEY}" is not allowed`, { position: { file, line: index + 1 } });
    }
    values.set(key, trimmed.slice(equals + 1));
  });
  return values;
}
