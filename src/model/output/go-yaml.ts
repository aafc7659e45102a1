// YAML written as compose writes it (go-yaml v3 with an indent of 2): the same key order for maps, the same choice
// between plain, quoted and literal scalars, no line folding. Values are plain data: maps, lists, strings, numbers,
// booleans and null, with maps already in the order they must appear.
type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export function toGoYaml(value: Value): string {
  const lines: string[] = [];
  writeNode(value, 0, lines, '');
  return lines.join('\n') + '\n';
}

function isMap(value: Value): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyCollection(value: Value): boolean {
  return (Array.isArray(value) && value.length === 0) || (isMap(value) && Object.keys(value).length === 0);
}

/** Writes `value` at `indent`; `prefix` is what precedes it on its first line ("key:" or "- "). */
function writeNode(value: Value, indent: number, lines: string[], prefix: string): void {
  const pad = ' '.repeat(indent);
  if (isMap(value) && !isEmptyCollection(value)) {
    let first = prefix.endsWith('- ');
    if (prefix !== '' && !first) lines.push(prefix);
    for (const [key, item] of Object.entries(value)) {
      const lead = first ? prefix : pad;
      first = false;
      writeEntry(`${lead}${scalar(key, indent)}:`, item, indent, lines);
    }
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    let first = prefix.endsWith('- ');
    if (prefix !== '' && !first) lines.push(prefix);
    for (const item of value) {
      const lead = first ? prefix : pad;
      first = false;
      if ((isMap(item) || Array.isArray(item)) && !isEmptyCollection(item)) writeNode(item, indent + 2, lines, `${lead}- `);
      else lines.push(`${lead}- ${inline(item, indent + 2)}`);
    }
    return;
  }
  lines.push(`${prefix}${inline(value, indent)}`);
}

function writeEntry(head: string, item: Value, indent: number, lines: string[]): void {
  if ((isMap(item) || Array.isArray(item)) && !isEmptyCollection(item)) {
    lines.push(head);
    // go-yaml indents sequences under their key, like maps.
    writeNode(item, indent + 2, lines, '');
  } else {
    lines.push(`${head} ${inline(item, indent + 2)}`);
  }
}

function inline(value: Value, indent: number): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  if (isMap(value)) return '{}';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  return scalar(value, indent);
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '+.inf' : '-.inf';
  return String(value);
}

/** Plain when it reads back as the same string, a literal block when multi-line, else quoted. */
function scalar(text: string, indent: number): string {
  if (text.includes('\n')) {
    const block = literalBlock(text, indent);
    if (block !== undefined) return block;
    return doubleQuoted(text);
  }
  if (readsAsOtherType(text)) return doubleQuoted(text);
  if (plainAllowed(text)) return text;
  if (singleAllowed(text)) return `'${text.replaceAll("'", "''")}'`;
  return doubleQuoted(text);
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
// go-yaml still quotes YAML 1.1 booleans and sexagesimal numbers so that 1.1 readers get strings back.
const OLD_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^[-+]?(?:0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/;
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/;

function readsAsOtherType(text: string): boolean {
  if (NULLS.has(text) || BOOLS.has(text) || OLD_BOOLS.has(text) || BASE60.test(text)) return true;
  const digits = text.replaceAll('_', '');
  return INT.test(digits) || FLOAT.test(digits) || SPECIAL_FLOAT.test(text) || TIMESTAMP.test(text);
}

const LEADING_INDICATORS = new Set([...'#,[]{}&*!|>\'"%@`']);

function plainAllowed(text: string): boolean {
  if (text.startsWith('---') || text.startsWith('...')) return false;
  if (/^\s|\s$/.test(text) || hasSpecialCharacters(text)) return false;
  const first = text[0]!;
  if (LEADING_INDICATORS.has(first)) return false;
  if ((first === '-' || first === '?' || first === ':') && (text.length === 1 || /\s/.test(text[1]!))) return false;
  if (/:(\s|$)/.test(text) || /\s#/.test(text)) return false;
  return true;
}

function singleAllowed(text: string): boolean {
  return !hasSpecialCharacters(text);
}

/** Characters go-yaml does not write unescaped: controls (tab and carriage return included) and the BOM. */
function hasSpecialCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0009\u000b-\u001f\u007f\ufeff]/.test(text);
}

function literalBlock(text: string, indent: number): string | undefined {
  // A line with trailing spaces, or text starting with spaces and a break, cannot be a literal block.
  if (/ \n/.test(text) || hasSpecialCharacters(text)) return undefined;
  const trailing = /\n*$/.exec(text)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const indicator = /^[ \t]/.test(text) || text.startsWith('\n') ? '2' : '';
  const body = trailing > 0 ? text.slice(0, text.length - 1) : text;
  const pad = ' '.repeat(indent);
  const lines = body.split('\n').map((line) => (line === '' ? '' : pad + line));
  return `|${indicator}${chomp}\n${lines.join('\n')}`;
}

function doubleQuoted(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code === 0) out += '\\0';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (code === 0xfeff) out += '\\uFEFF';
    else out += char;
  }
  return `${out}"`;
}

/**
 * go-yaml's order for map keys: numbers by value, then text where a run of digits compares as a number and a
 * letter sorts before any other character.
 */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]!);
      continue;
    }
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

export function goYamlKeyCompare(a: string, b: string): number {
  return goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isLetter(char: string): boolean {
  return /\p{L}/u.test(char);
}
