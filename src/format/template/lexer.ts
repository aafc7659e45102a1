// Go text/template's lexer: text, and actions between {{ and }} (with the `{{- ` / ` -}}` trim markers and
// `{{/* comments */}}`) cut into tokens. Positions are offsets in the template, so errors can name line and column.

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'comment'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof'
  | 'error';

export interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly pos: number;
}

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const LEFT = '{{';
const RIGHT = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\t' || char === '\r' || char === '\n';
const isAlphaNumeric = (char: string | undefined): boolean => char !== undefined && (char === '_' || /^[\p{L}\p{Nd}]$/u.test(char));

/** Every token of the template, ending with `eof` or with the first `error` (its value is the message). */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let parenDepth = 0;
  const emit = (type: TokenType, start: number, end: number, value = input.slice(start, end)): void => {
    tokens.push({ type, value, pos: start });
  };
  const fail = (message: string, at: number): Token[] => {
    tokens.push({ type: 'error', value: message, pos: at });
    return tokens;
  };
  // A right delimiter (with its trim marker) at `at`: the length it takes, and whether it trims.
  const rightDelimAt = (at: number): { length: number; trim: boolean } | undefined => {
    if (input.startsWith(` -${RIGHT}`, at) || input.startsWith(`\t-${RIGHT}`, at) || input.startsWith(`\r-${RIGHT}`, at) || input.startsWith(`\n-${RIGHT}`, at)) {
      return { length: 2 + RIGHT.length, trim: true };
    }
    if (input.startsWith(RIGHT, at)) return { length: RIGHT.length, trim: false };
    return undefined;
  };

  let trimNextText = false;
  for (;;) {
    // Text up to the next action.
    const next = input.indexOf(LEFT, pos);
    const textEnd = next < 0 ? input.length : next;
    let textStart = pos;
    if (trimNextText) while (textStart < textEnd && isSpace(input[textStart])) textStart++;
    trimNextText = false;
    let trimmedEnd = textEnd;
    const trimLeft = next >= 0 && input[next + LEFT.length] === '-' && isSpace(input[next + LEFT.length + 1]);
    if (trimLeft) while (trimmedEnd > textStart && isSpace(input[trimmedEnd - 1])) trimmedEnd--;
    if (trimmedEnd > textStart) emit('text', textStart, trimmedEnd);
    if (next < 0) {
      emit('eof', input.length, input.length, '');
      return tokens;
    }
    // The action.
    emit('leftDelim', next, next + LEFT.length);
    pos = next + LEFT.length + (trimLeft ? 2 : 0);
    if (input.startsWith(LEFT_COMMENT, pos)) {
      const close = input.indexOf(RIGHT_COMMENT, pos + LEFT_COMMENT.length);
      if (close < 0) return fail('unclosed comment', pos);
      const delim = rightDelimAt(close + RIGHT_COMMENT.length);
      if (!delim) return fail('comment ends before closing delimiter', pos);
      emit('comment', pos, close + RIGHT_COMMENT.length);
      pos = close + RIGHT_COMMENT.length + delim.length;
      trimNextText = delim.trim;
      continue;
    }
    parenDepth = 0;
    for (;;) {
      const delim = rightDelimAt(pos);
      if (delim) {
        if (parenDepth > 0) return fail('unclosed left paren', pos);
        emit('rightDelim', pos, pos + delim.length);
        pos += delim.length;
        trimNextText = delim.trim;
        break;
      }
      const char = input[pos];
      if (char === undefined) return fail('unclosed action', pos);
      if (isSpace(char)) {
        const start = pos;
        while (isSpace(input[pos]) && !rightDelimAt(pos)?.trim) pos++;
        emit('space', start, pos);
        continue;
      }
      if (char === '=') {
        emit('assign', pos, pos + 1);
        pos++;
        continue;
      }
      if (char === ':') {
        if (input[pos + 1] !== '=') return fail('expected :=', pos);
        emit('declare', pos, pos + 2);
        pos += 2;
        continue;
      }
      if (char === '|') {
        emit('pipe', pos, pos + 1);
        pos++;
        continue;
      }
      if (char === ',') {
        emit('comma', pos, pos + 1);
        pos++;
        continue;
      }
      if (char === '(') {
        emit('leftParen', pos, pos + 1);
        parenDepth++;
        pos++;
        continue;
      }
      if (char === ')') {
        if (parenDepth === 0) return fail('unexpected right paren', pos);
        emit('rightParen', pos, pos + 1);
        parenDepth--;
        pos++;
        continue;
      }
      if (char === '"') {
        const end = quotedEnd(input, pos, '"');
        if (end < 0) return fail('unterminated quoted string', pos);
        emit('string', pos, end);
        pos = end;
        continue;
      }
      if (char === '`') {
        const close = input.indexOf('`', pos + 1);
        if (close < 0) return fail('unterminated raw quoted string', pos);
        emit('rawString', pos, close + 1);
        pos = close + 1;
        continue;
      }
      if (char === "'") {
        const end = quotedEnd(input, pos, "'");
        if (end < 0) return fail('unterminated character constant', pos);
        emit('char', pos, end);
        pos = end;
        continue;
      }
      if (char === '$') {
        const start = pos;
        pos++;
        while (isAlphaNumeric(input[pos])) pos++;
        emit('variable', start, pos);
        continue;
      }
      if (char === '.') {
        if (/[0-9]/.test(input[pos + 1] ?? '')) {
          const end = numberEnd(input, pos);
          emit('number', pos, end);
          pos = end;
          continue;
        }
        const start = pos;
        pos++;
        if (!isAlphaNumeric(input[pos])) {
          emit('dot', start, pos);
          continue;
        }
        while (isAlphaNumeric(input[pos])) pos++;
        emit('field', start, pos);
        continue;
      }
      if (char === '+' || char === '-' || /[0-9]/.test(char)) {
        const end = numberEnd(input, pos);
        if (end === pos || isAlphaNumeric(input[end])) return fail(`bad number syntax: "${input.slice(pos, Math.max(end, pos + 1))}"`, pos);
        emit('number', pos, end);
        pos = end;
        continue;
      }
      if (isAlphaNumeric(char)) {
        const start = pos;
        while (isAlphaNumeric(input[pos])) pos++;
        const word = input.slice(start, pos);
        if (KEYWORDS.has(word)) emit('keyword', start, pos);
        else if (word === 'true' || word === 'false') emit('bool', start, pos);
        else if (word === 'nil') emit('nil', start, pos);
        else emit('identifier', start, pos);
        continue;
      }
      return fail(`unrecognized character in action: ${JSON.stringify(char)}`, pos);
    }
  }
}

/** Where a quoted string or character constant (`quote` is `"` or `'`) that starts at `start` ends; -1 when it does not on its line. */
function quotedEnd(input: string, start: number, quote: string): number {
  for (let at = start + 1; at < input.length; at++) {
    const char = input[at];
    if (char === '\\') {
      at++;
      continue;
    }
    if (char === '\n') return -1;
    if (char === quote) return at + 1;
  }
  return -1;
}

/** Go's number syntax, loosely: sign, digits with `_`, hex/octal/binary prefixes, a fraction and an exponent. */
function numberEnd(input: string, start: number): number {
  const match = /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[oObB][0-9_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/.exec(input.slice(start));
  return start + (match?.[0].length ?? 0);
}
