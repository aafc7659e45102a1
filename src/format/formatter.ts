// `--format` as docker's CLI reads it: `table` (the verb's default columns), `json` (`{{json .}}`, one line per
// item), `table TEMPLATE` (a header row, columns aligned on tabs) or any other Go template (one line per item).
// `\t` and `\n` written literally in the flag are tabs and newlines, as in docker.
import { BerthError } from '../model/errors.js';
import { DOCKER_TABLE, tabwrite } from './tabwriter.js';
import { GoMap, GoMethod, GoTemplate, HEADER_FUNCTIONS, TemplateExecError, TemplateSyntaxError } from './template/index.js';
import type { GoValue } from './template/index.js';

export interface ListFormat {
  readonly table: boolean;
  readonly template: GoTemplate;
}

/** Parses `--format`; `defaultTable` is what `table` (or an empty flag) means for this verb. */
export function parseListFormat(format: string, defaultTable: string): ListFormat {
  let source = format === '' || format === 'table' ? defaultTable : format === 'json' ? '{{json .}}' : format;
  const table = source.startsWith('table');
  if (table) source = source.slice('table'.length);
  source = source.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  try {
    return { table, template: GoTemplate.parse(source) };
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new BerthError(`failed to parse template: ${error.message}`);
    throw error;
  }
}

/** Every item through the template, a line each; for a table, the header first and the columns aligned. */
export function renderList(format: ListFormat, items: readonly GoValue[], header: GoMap): string {
  let body = '';
  for (const item of items) {
    try {
      body += `${format.template.execute(item)}\n`;
    } catch (error) {
      if (error instanceof TemplateExecError) throw new BerthError(`failed to execute template: ${error.message}`);
      throw error;
    }
  }
  if (!format.table) return body;
  let head: string;
  try {
    head = format.template.execute(header, HEADER_FUNCTIONS);
  } catch (error) {
    // As docker: a header the template cannot make is left as far as it got.
    if (!(error instanceof TemplateExecError)) throw error;
    head = error.partial;
  }
  return tabwrite(`${head}\n${body}`, DOCKER_TABLE);
}

/** docker's SubHeaderContext: column titles by field, and `Label "a.b-c"` titled by its last part (`b c`). */
export function headerContext(titles: Readonly<Record<string, string>>): GoMap {
  return new GoMap(new Map(Object.entries(titles)), 'formatter.SubHeaderContext', {
    Label: new GoMethod(['string'], (name) => (name as string).split('.').pop()!.replace(/[-_]/g, ' ')),
  });
}
