// .dockerignore: which paths of a build context the engine never sees. Patterns as docker reads them: `*`, `?`,
// `[...]` within one path segment, `**` across segments, `!` to take a path back, later lines winning.
interface Rule {
  readonly exclude: boolean;
  readonly pattern: RegExp;
  /** The pattern up to its first wildcard: what an exception can be under. */
  readonly literalPrefix: string;
}

/** Whether a path is left out; `descend` says whether an excluded directory may still hold a path taken back by `!`. */
export type IgnoreMatcher = ((path: string) => boolean) & { readonly descend: (directory: string) => boolean };

export function parseDockerignore(text: string): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    if (!exclude) line = line.slice(1).trim();
    line = line.replace(/^\/+/, '').replace(/\/+$/, '');
    line = line.split('/').filter((part) => part !== '' && part !== '.').join('/');
    if (line === '') continue;
    rules.push({ exclude, pattern: globToRegExp(line), literalPrefix: line.split(/[*?[]/)[0]! });
  }
  const ignored = (path: string): boolean => {
    let excluded = false;
    for (const rule of rules) {
      // A pattern also matches everything below a directory it names.
      if (rule.pattern.test(path) || parentMatches(rule.pattern, path)) excluded = rule.exclude;
    }
    return excluded;
  };
  // `docs` then `!docs/keep.md`: the walk must still go into docs to find keep.md.
  const descend = (directory: string): boolean =>
    rules.some((rule) => !rule.exclude && (rule.literalPrefix.startsWith(`${directory}/`) || `${directory}/`.startsWith(rule.literalPrefix)));
  return Object.assign(ignored, { descend });
}

function parentMatches(pattern: RegExp, path: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) if (pattern.test(parts.slice(0, i).join('/'))) return true;
  return false;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else if (char === '\\' && i + 1 < glob.length) out += `\\${glob[++i]}`;
    else out += char.replace(/[.+^${}()|]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
