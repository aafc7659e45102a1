// A command written as one string is split into words the way a POSIX shell would, without expanding anything:
// quotes group, backslashes escape (compose uses go-shellwords for this).
import { BerthError } from '../errors.js';
import type { TreePath } from '../tree.js';

export function splitShellWords(line: string, path: TreePath): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === '\\' && i + 1 < line.length) {
      const next = line[i + 1]!;
      // Inside double quotes a backslash only escapes the characters that need it.
      if (quote === '"' && !'"\\$`'.includes(next)) word += char;
      word += next;
      inWord = true;
      i++;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new BerthError(`invalid command line string: unclosed quote in ${JSON.stringify(line)}`, { path });
  if (inWord) words.push(word);
  return words;
}
