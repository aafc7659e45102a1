// Go text/template's executor over parsed nodes and template values: fields and methods looked up on structs and
// maps, functions called with Go's argument checks, pipelines feeding their value to the next command, control
// structures with Go's truth and scoping. Errors read as Go's:
// `template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext`.
import { SHORT_CIRCUIT } from './functions.js';
import type { FunctionTable, TemplateFunction } from './functions.js';
import { nodeText } from './parser.js';
import type { BranchNode, CommandNode, FieldNode, Operand, ParsedTemplate, PipeNode, TemplateNode, VariableNode, ChainNode } from './parser.js';
import { formatValue, GoMap, GoMethod, GoStruct, goTypeName, isSlice, isTrue, NO_VALUE, sortedEntries } from './values.js';
import type { GoValue, ParamType } from './values.js';

/** A template that failed while running; `partial` is what it had written before. */
export class TemplateExecError extends Error {
  override readonly name = 'TemplateExecError';
  constructor(
    message: string,
    readonly partial: string,
  ) {
    super(message);
  }
}

const MISSING: unique symbol = Symbol('missing');
type Final = GoValue | typeof MISSING;

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

class Failure extends Error {}

export function execute(template: ParsedTemplate, data: GoValue, functions: FunctionTable): string {
  const state = new State(template.source, functions, data);
  try {
    state.walkList(data, template.nodes);
  } catch (error) {
    if (error instanceof Failure) throw new TemplateExecError(error.message, state.out);
    throw error;
  }
  return state.out;
}

class State {
  out = '';
  private node: { pos: number; text: string } | undefined;
  private readonly vars: Array<{ name: string; value: GoValue }>;

  constructor(
    private readonly source: string,
    private readonly functions: FunctionTable,
    data: GoValue,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  private at(node: Operand | CommandNode): void {
    this.node = { pos: node.pos, text: nodeText(node) };
  }

  private fail(message: string): never {
    if (!this.node) throw new Failure(`template: : ${message}`);
    const before = this.source.slice(0, this.node.pos);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const column = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1), 'utf8');
    throw new Failure(`template: :${line}:${column}: executing "" at <${this.node.text}>: ${message}`);
  }

  walkList(dot: GoValue, nodes: readonly TemplateNode[]): void {
    for (const node of nodes) this.walk(dot, node);
  }

  private walk(dot: GoValue, node: TemplateNode): void {
    switch (node.kind) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += formatValue(value);
        return;
      }
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'break':
      case 'continue':
        throw new LoopSignal(node.kind);
    }
  }

  private scoped(run: () => void): void {
    const mark = this.vars.length;
    try {
      run();
    } finally {
      this.vars.length = mark;
    }
  }

  private walkIfOrWith(dot: GoValue, node: BranchNode): void {
    this.scoped(() => {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walkList(node.kind === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walkList(dot, node.elseList);
    });
  }

  private walkRange(dot: GoValue, node: BranchNode): void {
    this.scoped(() => {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      let items: Array<[GoValue, GoValue]>;
      if (isSlice(value)) items = value.map((element, position) => [position, element]);
      else if (value instanceof GoMap) items = sortedEntries(value);
      else if (typeof value === 'number' && Number.isInteger(value)) items = Array.from({ length: Math.max(value, 0) }, (_, position) => [position, position]);
      else if (value === null || value === NO_VALUE) items = [];
      else {
        this.at(node.pipe);
        this.fail(`range can't iterate over ${formatValue(value)}`);
      }
      for (const [key, element] of items) {
        // The pipeline declared the variables last: one gets the element; two get the key (or index), then it.
        const decl = node.pipe.decl;
        if (decl.length === 1) this.setVar(decl[0]!, element, node.pipe.isAssign, mark - 1);
        if (decl.length === 2) {
          this.setVar(decl[0]!, key, node.pipe.isAssign, mark - 2);
          this.setVar(decl[1]!, element, node.pipe.isAssign, mark - 1);
        }
        try {
          this.walkList(element, node.list);
        } catch (signal) {
          if (!(signal instanceof LoopSignal)) throw signal;
          if (signal.kind === 'break') break;
        } finally {
          this.vars.length = mark;
        }
      }
      if (items.length === 0 && node.elseList) this.walkList(dot, node.elseList);
    });
  }

  /** Range variables are declared once (by the pipeline) and overwritten on each pass. */
  private setVar(variable: VariableNode, value: GoValue, isAssign: boolean, slot: number): void {
    if (isAssign) this.assign(variable.idents[0]!, value);
    else this.vars[slot] = { name: variable.idents[0]!, value };
  }

  private assign(name: string, value: GoValue): void {
    for (let at = this.vars.length - 1; at >= 0; at--) {
      if (this.vars[at]!.name === name) {
        this.vars[at] = { name, value };
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private lookup(name: string): GoValue {
    for (let at = this.vars.length - 1; at >= 0; at--) if (this.vars[at]!.name === name) return this.vars[at]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    let value: Final = MISSING;
    for (const command of pipe.commands) value = this.evalCommand(dot, command, value);
    const result = value === MISSING ? NO_VALUE : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.assign(variable.idents[0]!, result);
      else this.vars.push({ name: variable.idents[0]!, value: result });
    }
    return result;
  }

  private evalCommand(dot: GoValue, command: CommandNode, final: Final): GoValue {
    const first = command.args[0]!;
    switch (first.kind) {
      case 'field':
        this.at(first);
        return this.evalFieldChain(dot, dot, first, first.idents, command.args, final);
      case 'chain':
        return this.evalChain(dot, first, command.args, final);
      case 'identifier':
        return this.evalFunction(dot, first.name, command, final);
      case 'pipe':
        this.notAFunction(command.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariable(dot, first, command.args, final);
    }
    this.at(first);
    this.notAFunction(command.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.fail('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.value;
    }
  }

  private notAFunction(args: readonly Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${nodeText(args[0]!)}`);
  }

  private evalVariable(dot: GoValue, variable: VariableNode, args: readonly Operand[], final: Final): GoValue {
    this.at(variable);
    const value = this.lookup(variable.idents[0]!);
    if (variable.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.idents.slice(1), args, final);
  }

  private evalChain(dot: GoValue, chain: ChainNode, args: readonly Operand[], final: Final): GoValue {
    this.at(chain);
    if (chain.node.kind === 'nil') this.fail(`indirection through explicit nil in ${nodeText(chain)}`);
    const receiver = this.evalArg(dot, 'any', chain.node);
    this.at(chain);
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  private evalFieldChain(dot: GoValue, receiver: GoValue, node: FieldNode | VariableNode | ChainNode, idents: readonly string[], args: readonly Operand[], final: Final): GoValue {
    let value = receiver;
    for (const ident of idents.slice(0, -1)) value = this.evalField(dot, ident, node, [], MISSING, value);
    return this.evalField(dot, idents[idents.length - 1]!, node, args, final, value);
  }

  private evalField(dot: GoValue, name: string, node: Operand, args: readonly Operand[], final: Final, receiver: GoValue): GoValue {
    if (receiver === null || receiver === NO_VALUE) return NO_VALUE;
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct) {
      if (Object.hasOwn(receiver.members, name)) {
        const member = receiver.members[name]!;
        if (member instanceof GoMethod) return this.evalCall(dot, { params: member.params, call: member.call }, node, name, args, final);
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return member;
      }
      this.fail(`can't evaluate field ${name} in type ${receiver.typeName}`);
    }
    if (receiver instanceof GoMap) {
      const method = Object.hasOwn(receiver.methods, name) ? receiver.methods[name] : undefined;
      if (method) return this.evalCall(dot, { params: method.params, call: method.call }, node, name, args, final);
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return receiver.entries.has(name) ? receiver.entries.get(name)! : NO_VALUE;
    }
    this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: GoValue, name: string, command: CommandNode, final: Final): GoValue {
    const identifier = command.args[0]!;
    this.at(identifier);
    const fn = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (!fn) this.fail(`"${name}" is not a defined function`);
    if (SHORT_CIRCUIT.has(name)) return this.evalShortCircuit(dot, name, command, final);
    return this.evalCall(dot, fn, command, name, command.args, final);
  }

  /** `and` gives its first false argument (or the last), `or` its first true one, evaluating no further. */
  private evalShortCircuit(dot: GoValue, name: string, command: CommandNode, final: Final): GoValue {
    const args = command.args.slice(1);
    if (args.length + (final === MISSING ? 0 : 1) === 0) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: GoValue = null;
    for (const arg of args) {
      value = this.evalArg(dot, 'any', arg);
      if (isTrue(value) === (name === 'or')) return value;
    }
    return final === MISSING ? value : final;
  }

  private evalCall(dot: GoValue, fn: TemplateFunction, node: Operand | CommandNode, name: string, args: readonly Operand[], final: Final): GoValue {
    const given = args.slice(1);
    const count = given.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic ? count < fixed : count !== fixed) {
      this.at(node);
      this.fail(`wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${count}`);
    }
    const typeAt = (position: number): ParamType => fn.params[position] ?? fn.variadic ?? 'any';
    const values = given.map((arg, position) => this.evalArg(dot, typeAt(position), arg));
    if (final !== MISSING) {
      this.at(node);
      values.push(this.checkType(final, typeAt(values.length)));
    }
    try {
      return fn.call(...values);
    } catch (error) {
      if (error instanceof Failure) throw error;
      this.at(node);
      this.fail(`error calling ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** An argument evaluated for a parameter of the given type, checked as Go checks it. */
  private evalArg(dot: GoValue, type: ParamType, node: Operand): GoValue {
    this.at(node);
    switch (node.kind) {
      case 'dot':
        return this.checkType(dot, type);
      case 'nil':
        if (type === 'any') return null;
        this.fail(`cannot assign nil to ${type}`);
      case 'field':
        return this.checkType(this.evalFieldChain(dot, dot, node, node.idents, [node], MISSING), type);
      case 'variable':
        return this.checkType(this.evalVariable(dot, node, [node], MISSING), type);
      case 'pipe':
        return this.checkType(this.evalPipeline(dot, node), type);
      case 'identifier':
        return this.checkType(this.evalFunction(dot, node.name, { kind: 'command', pos: node.pos, args: [node] }, MISSING), type);
      case 'chain':
        return this.checkType(this.evalChain(dot, node, [node], MISSING), type);
      case 'bool':
        if (type === 'any' || type === 'bool') return node.value;
        this.fail(`expected ${type}; found ${nodeText(node)}`);
      case 'string':
        if (type === 'any' || type === 'string') return node.value;
        this.fail(`expected ${type}; found ${nodeText(node)}`);
      case 'number':
        if (type === 'any') return node.value;
        if (type === 'int' && node.isInt) return node.value;
        this.fail(type === 'int' ? `expected integer; found ${nodeText(node)}` : `expected ${type}; found ${nodeText(node)}`);
    }
  }

  private checkType(value: GoValue, type: ParamType): GoValue {
    if (type === 'any') return value === NO_VALUE ? null : value;
    if (value === NO_VALUE) this.fail(`invalid value; expected ${type}`);
    const ok = type === 'string' ? typeof value === 'string' : type === 'bool' ? typeof value === 'boolean' : typeof value === 'number' && Number.isInteger(value);
    if (!ok) this.fail(`wrong type for value; expected ${type}; got ${goTypeName(value)}`);
    return value;
  }
}
