// Go text/template, the subset docker's `--format` templates use, with docker's functions: parse once, execute per
// item. Errors are Go's own text (`template: :1: function "foo" not defined`,
// `template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type ...`).
import { execute } from './exec.js';
import { BUILTINS, DOCKER_FUNCTIONS, UNSUPPORTED_FUNCTIONS } from './functions.js';
import type { FunctionTable } from './functions.js';
import { parse, TemplateSyntaxError } from './parser.js';
import type { ParsedTemplate } from './parser.js';
import type { GoValue } from './values.js';

export const DOCKER_TEMPLATE_FUNCTIONS: FunctionTable = { ...BUILTINS, ...DOCKER_FUNCTIONS };

export class GoTemplate {
  private constructor(
    private readonly parsed: ParsedTemplate,
    private readonly functions: FunctionTable,
  ) {}

  /** Throws TemplateSyntaxError. Functions are checked here, as Go does: an unknown one does not parse. */
  static parse(source: string, functions: FunctionTable = DOCKER_TEMPLATE_FUNCTIONS): GoTemplate {
    const parsed = parse(source, (name) => {
      if (UNSUPPORTED_FUNCTIONS.has(name)) throw new TemplateSyntaxError(`template: :1: function "${name}" is not supported by berth's templates`);
      return Object.hasOwn(functions, name);
    });
    return new GoTemplate(parsed, functions);
  }

  /** Throws TemplateExecError (with what was written before the failure). `functions` replace some by name. */
  execute(data: GoValue, functions: FunctionTable = {}): string {
    return execute(this.parsed, data, { ...this.functions, ...functions });
  }
}

export { TemplateSyntaxError } from './parser.js';
export { TemplateExecError } from './exec.js';
export { HEADER_FUNCTIONS } from './functions.js';
export * from './values.js';
