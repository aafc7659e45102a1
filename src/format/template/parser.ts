// Go text/template's parser, for the part of the language docker's --format templates use: text, actions with
// pipelines (fields, methods with arguments, functions, variables, literals, parentheses, `|`), `if`/`else if`,
// `range` (with `break`/`continue`), `with`/`else with`, variables declared and assigned, comments. `define`,
// `template` and `block` are refused by name. Errors read as Go's: `template: :1: function "foo" not defined`.
import { lex } from './lexer.js';
import type { Token } from './lexer.js';

interface Positioned {
  readonly pos: number;
}

export interface FieldNode extends Positioned {
  readonly kind: 'field';
  readonly idents: readonly string[];
}
export interface VariableNode extends Positioned {
  readonly kind: 'variable';
  /** `$x` then the fields after it. */
  readonly idents: readonly string[];
}
export interface ChainNode extends Positioned {
  readonly kind: 'chain';
  readonly node: Operand;
  readonly fields: readonly string[];
}
export interface IdentifierNode extends Positioned {
  readonly kind: 'identifier';
  readonly name: string;
}
export interface DotNode extends Positioned {
  readonly kind: 'dot';
}
export interface NilNode extends Positioned {
  readonly kind: 'nil';
}
export interface BoolNode extends Positioned {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface NumberNode extends Positioned {
  readonly kind: 'number';
  readonly value: number;
  readonly text: string;
  readonly isInt: boolean;
}
export interface StringNode extends Positioned {
  readonly kind: 'string';
  readonly value: string;
  readonly quoted: string;
}
export interface PipeNode extends Positioned {
  readonly kind: 'pipe';
  readonly decl: readonly VariableNode[];
  readonly isAssign: boolean;
  readonly commands: readonly CommandNode[];
}
export interface CommandNode extends Positioned {
  readonly kind: 'command';
  readonly args: readonly Operand[];
}

export type Operand = FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;

export interface TextNode extends Positioned {
  readonly kind: 'text';
  readonly text: string;
}
export interface ActionNode extends Positioned {
  readonly kind: 'action';
  readonly pipe: PipeNode;
}
export interface BranchNode extends Positioned {
  readonly kind: 'if' | 'range' | 'with';
  readonly pipe: PipeNode;
  readonly list: readonly TemplateNode[];
  readonly elseList?: readonly TemplateNode[];
}
export interface LoopControlNode extends Positioned {
  readonly kind: 'break' | 'continue';
}

export type TemplateNode = TextNode | ActionNode | BranchNode | LoopControlNode;

export interface ParsedTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

/** A template that does not parse; `message` is Go's (`template: :1: unexpected EOF`). */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

const UNSUPPORTED_KEYWORDS = new Set(['define', 'template', 'block']);

/** The template as nodes; `isFunction` says which identifiers name functions (the others are refused, as in Go). */
export function parse(source: string, isFunction: (name: string) => boolean): ParsedTemplate {
  return { source, nodes: new Parser(source, lex(source), isFunction).parseAll() };
}

/** The `{{end}}` or `{{else}}` (`{{else if ...}}`) that ends a list. */
type Stop = { kind: 'end' | 'else'; pos: number; elseOf?: 'if' | 'with' };

const isStop = (node: TemplateNode | Stop): node is Stop => node.kind === 'end' || node.kind === 'else';

class Parser {
  private at = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly isFunction: (name: string) => boolean,
  ) {}

  parseAll(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    while (this.peek().type !== 'eof') {
      const node = this.textOrAction();
      if (node === undefined) continue;
      if (isStop(node)) this.fail(`unexpected {{${node.kind}}}`, node.pos);
      else nodes.push(node);
    }
    return nodes;
  }

  private fail(message: string, pos: number): never {
    const line = 1 + (this.source.slice(0, pos).match(/\n/g)?.length ?? 0);
    throw new TemplateSyntaxError(`template: :${line}: ${message}`);
  }

  private next(): Token {
    const token = this.tokens[this.at] ?? this.tokens[this.tokens.length - 1]!;
    if (this.at < this.tokens.length) this.at++;
    if (token.type === 'error') this.fail(token.value, token.pos);
    return token;
  }

  private peek(): Token {
    const token = this.tokens[this.at] ?? this.tokens[this.tokens.length - 1]!;
    if (token.type === 'error') this.fail(token.value, token.pos);
    return token;
  }

  private nextNonSpace(): Token {
    let token = this.next();
    while (token.type === 'space') token = this.next();
    return token;
  }

  private peekNonSpace(): Token {
    const mark = this.at;
    const token = this.nextNonSpace();
    this.at = mark;
    return token;
  }

  private describe(token: Token): string {
    if (token.type === 'eof') return 'EOF';
    if (token.type === 'keyword') return `<${token.value}>`;
    if (token.type === 'rightDelim') return `"${token.value.trim()}"`;
    return JSON.stringify(token.value.length > 10 ? `${token.value.slice(0, 10)}...` : token.value);
  }

  private unexpected(token: Token, context: string): never {
    this.fail(`unexpected ${this.describe(token)} in ${context}`, token.pos);
  }

  private expect(type: Token['type'], context: string): Token {
    const token = this.nextNonSpace();
    if (token.type !== type) this.unexpected(token, context);
    return token;
  }

  /** A text node, an action, a control structure, or the `{{end}}`/`{{else}}` that ends the list being read. */
  private textOrAction(): TemplateNode | Stop | undefined {
    const token = this.nextNonSpace();
    if (token.type === 'text') return { kind: 'text', text: token.value, pos: token.pos };
    if (token.type === 'leftDelim') {
      if (this.peek().type === 'comment') {
        this.next();
        return undefined;
      }
      return this.action();
    }
    this.unexpected(token, 'input');
  }

  private action(): TemplateNode | Stop {
    const token = this.nextNonSpace();
    if (token.type === 'keyword') {
      switch (token.value) {
        case 'end':
          this.expect('rightDelim', 'end');
          return { kind: 'end', pos: token.pos };
        case 'else': {
          const peek = this.peekNonSpace();
          if (peek.type === 'keyword' && (peek.value === 'if' || peek.value === 'with')) return { kind: 'else', pos: token.pos, elseOf: peek.value };
          this.expect('rightDelim', 'else');
          return { kind: 'else', pos: token.pos };
        }
        case 'if':
        case 'range':
        case 'with':
          return this.control(token.value, token.pos);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(`{{${token.value}}} outside {{range}}`, token.pos);
          this.expect('rightDelim', token.value);
          return { kind: token.value, pos: token.pos };
        default:
          if (UNSUPPORTED_KEYWORDS.has(token.value)) this.fail(`{{${token.value}}} is not supported by berth's templates`, token.pos);
          this.unexpected(token, 'command');
      }
    }
    this.at--;
    return { kind: 'action', pos: token.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private control(kind: 'if' | 'range' | 'with', pos: number): BranchNode {
    const depth = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const [list, stop] = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: TemplateNode[] | undefined;
      if (stop.kind === 'else') {
        if (stop.elseOf !== undefined && stop.elseOf === kind) {
          // `{{else if ...}}`: an if inside the else branch, which ends with the same {{end}}.
          const keyword = this.nextNonSpace();
          elseList = [this.control(stop.elseOf, keyword.pos)];
        } else {
          if (stop.elseOf) this.fail(`unexpected <${stop.elseOf}> in else`, stop.pos);
          const [otherwise, last] = this.itemList();
          if (last.kind !== 'end') this.fail('expected end; found {{else}}', last.pos);
          elseList = otherwise;
        }
      }
      return { kind, pos, pipe, list, ...(elseList ? { elseList } : {}) };
    } finally {
      this.vars.length = depth;
    }
  }

  private itemList(): [TemplateNode[], Stop] {
    const nodes: TemplateNode[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const node = this.textOrAction();
      if (node === undefined) continue;
      if (isStop(node)) return [nodes, node];
      nodes.push(node);
    }
    this.fail('unexpected EOF', this.source.length);
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const decl: VariableNode[] = [];
    let isAssign = false;
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== 'variable') break;
      const mark = this.at;
      this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.type === 'declare' || after.type === 'assign') {
        this.nextNonSpace();
        isAssign = after.type === 'assign';
        if (isAssign && !this.vars.includes(variable.value)) this.fail(`undefined variable "${variable.value}"`, variable.pos);
        decl.push({ kind: 'variable', pos: variable.pos, idents: [variable.value] });
        this.vars.push(variable.value);
        break;
      }
      if (after.type === 'comma') {
        this.nextNonSpace();
        decl.push({ kind: 'variable', pos: variable.pos, idents: [variable.value] });
        this.vars.push(variable.value);
        if (context === 'range' && decl.length < 2) {
          const following = this.peekNonSpace();
          if (following.type === 'variable') continue;
          this.fail('range can only initialize variables', following.pos);
        }
        this.fail(`too many declarations in ${context}`, after.pos);
      }
      this.at = mark;
      break;
    }
    const commands: CommandNode[] = [];
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) break;
      if (['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen'].includes(token.type)) {
        this.at--;
        commands.push(this.command());
        continue;
      }
      this.unexpected(token, context);
    }
    if (commands.length === 0) this.fail(`missing value for ${context}`, start.pos);
    commands.slice(1).forEach((command, index) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(command.args[0]!.kind)) this.fail(`non executable command in pipeline stage ${index + 2}`, command.pos);
    });
    return { kind: 'pipe', pos: start.pos, decl, isAssign, commands };
  }

  private command(): CommandNode {
    const pos = this.peekNonSpace().pos;
    const args: Operand[] = [];
    for (;;) {
      this.skipSpaces();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.at--;
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (args.length === 0) this.fail('empty command', pos);
    return { kind: 'command', pos, args };
  }

  private skipSpaces(): void {
    while (this.peek().type === 'space') this.next();
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'variable':
        return { kind: 'variable', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${JSON.stringify(nodeText(node))}`, node.pos);
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!this.isFunction(token.value)) this.fail(`function "${token.value}" not defined`, token.pos);
        return { kind: 'identifier', pos: token.pos, name: token.value };
      case 'dot':
        return { kind: 'dot', pos: token.pos };
      case 'nil':
        return { kind: 'nil', pos: token.pos };
      case 'variable':
        if (!this.vars.includes(token.value)) this.fail(`undefined variable "${token.value}"`, token.pos);
        return { kind: 'variable', pos: token.pos, idents: [token.value] };
      case 'field':
        return { kind: 'field', pos: token.pos, idents: [token.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: token.pos, value: token.value === 'true' };
      case 'char':
      case 'number':
        return this.number(token);
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return pipe;
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: token.pos, value: token.type === 'rawString' ? token.value.slice(1, -1) : unquote(token.value), quoted: token.value };
      default:
        this.at--;
        return undefined;
    }
  }

  private number(token: Token): NumberNode {
    if (token.type === 'char') {
      const value = unquote(`"${token.value.slice(1, -1).replace(/"/g, '\\"')}"`);
      const code = value.codePointAt(0);
      if (code === undefined || [...value].length !== 1) this.fail(`malformed character constant: ${token.value}`, token.pos);
      return { kind: 'number', pos: token.pos, value: code, text: token.value, isInt: true };
    }
    const text = token.value.replace(/_/g, '');
    let value: number;
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) value = Number.parseInt(text.replace(/0[xX]/, ''), 16) * (text.startsWith('-') ? -1 : 1);
    else if (/^[+-]?0[bB][01]+$/.test(text)) value = Number.parseInt(text.replace(/^[+-]?0[bB]/, ''), 2) * (text.startsWith('-') ? -1 : 1);
    else if (/^[+-]?0[oO]?[0-7]+$/.test(text) && /^[+-]?0/.test(text)) value = Number.parseInt(text.replace(/^([+-]?)0[oO]?/, ''), 8) * (text.startsWith('-') ? -1 : 1);
    else if (/^[+-]?\d+$/.test(text)) value = Number(text);
    else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) value = Number(text);
    else this.fail(`illegal number syntax: ${JSON.stringify(token.value)}`, token.pos);
    if (!Number.isFinite(value)) this.fail(`illegal number syntax: ${JSON.stringify(token.value)}`, token.pos);
    // As in Go, a float with an integral value is an int too (`1e3`).
    return { kind: 'number', pos: token.pos, value, text: token.value, isInt: Number.isInteger(value) };
  }
}

/** A Go interpreted string literal's value (`"a\tb"`, `"\u00e9"`, `"\x41"`). */
function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_match, escape: string) => {
    switch (escape[0]) {
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      default:
        return /^[0-7]{3}$/.test(escape) ? String.fromCharCode(Number.parseInt(escape, 8)) : escape;
    }
  });
}

/** A node as Go's String() writes it: what errors show between `<` and `>`. */
export function nodeText(node: Operand | CommandNode): string {
  switch (node.kind) {
    case 'field':
      return node.idents.map((ident) => `.${ident}`).join('');
    case 'variable':
      return [node.idents[0], ...node.idents.slice(1).map((ident) => `.${ident}`)].join('');
    case 'chain':
      return `${node.node.kind === 'pipe' ? `(${nodeText(node.node)})` : nodeText(node.node)}${node.fields.map((field) => `.${field}`).join('')}`;
    case 'identifier':
      return node.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'number':
      return node.text;
    case 'string':
      return node.quoted;
    case 'pipe': {
      const decl = node.decl.length > 0 ? `${node.decl.map((variable) => variable.idents[0]).join(', ')} ${node.isAssign ? '=' : ':='} ` : '';
      return decl + node.commands.map(nodeText).join(' | ');
    }
    case 'command':
      return node.args.map((arg) => (arg.kind === 'pipe' ? `(${nodeText(arg)})` : nodeText(arg))).join(' ');
  }
}
