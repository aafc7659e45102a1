import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoMap, GoMethod, GoStruct, GoTemplate, NO_VALUE, TemplateExecError, TemplateSyntaxError } from './index.js';
import type { GoValue } from './index.js';

const container = new GoStruct('*formatter.ContainerContext', {
  Name: 'demo-web-1',
  Service: 'web',
  State: 'running',
  ExitCode: 0,
  Ports: '',
  Networks: ['front', 'back'],
  Publishers: [new GoStruct('api.PortPublisher', { URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' })],
  Labels: new GoMap(new Map([['b', '2'], ['a', '1']])),
  Label: new GoMethod(['string'], (name) => (name === 'tier' ? 'front' : '')),
});

const run = (source: string, data: GoValue = container): string => GoTemplate.parse(source).execute(data);

test('fields, text around them, and Go trim markers', () => {
  assert.equal(run('{{.Name}}: {{.State}}'), 'demo-web-1: running');
  assert.equal(run('a  {{- .Service -}}  b'), 'awebb');
  assert.equal(run('{{/* a comment */}}{{.ExitCode}}'), '0');
  assert.equal(run('{{.Labels.a}}{{.Labels.missing}}'), '1<no value>');
});

test('values print as Go prints them: slices, maps, structs', () => {
  assert.equal(run('{{.Networks}}'), '[front back]');
  assert.equal(run('{{.Labels}}'), 'map[a:1 b:2]');
  assert.equal(run('{{.Publishers}}'), '[{0.0.0.0 80 8080 tcp}]');
});

test('json: sorted map keys, struct fields in order, no HTML escaping', () => {
  assert.equal(run('{{json .Publishers}}'), '[{"URL":"0.0.0.0","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}]');
  assert.equal(run('{{json .Labels}}'), '{"a":"1","b":"2"}');
  assert.equal(run('{{json "<&>"}}'), '"<&>"');
});

test("docker's functions and Go's builtins", () => {
  assert.equal(run('{{join .Networks ","}}'), 'front,back');
  assert.equal(run('{{upper .Service}} {{lower "AB"}} {{title "hello world"}}'), 'WEB ab Hello World');
  assert.equal(run('{{truncate .Name 4}}|{{pad .Service 1 2}}|'), 'demo| web  |');
  assert.equal(run('{{index (split .Name "-") 1}}'), 'web');
  assert.equal(run('{{len .Networks}} {{printf "%-5s|%03d" .Service 7}}'), '2 web  |007');
  assert.equal(run('{{.Label "tier"}}'), 'front');
  assert.equal(run('{{if eq .State "running"}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if and .Name (not .ExitCode)}}ok{{end}}'), 'ok');
  assert.equal(run('{{.Service | upper | printf "[%s]"}}'), '[WEB]');
  assert.equal(run('{{printf "%c%s" \'x\' "\\"q\\""}}'), 'x"q"');
});

test('range and with, variables, break', () => {
  assert.equal(run('{{range $i, $n := .Networks}}{{$i}}={{$n}};{{end}}'), '0=front;1=back;');
  assert.equal(run('{{range .Publishers}}{{.PublishedPort}}->{{.TargetPort}}{{end}}'), '8080->80');
  assert.equal(run('{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}'), 'a1b2');
  assert.equal(run('{{range .Networks}}{{if eq . "back"}}{{break}}{{end}}{{.}}{{end}}'), 'front');
  assert.equal(run('{{range .Ports}}x{{else}}none{{end}}', new GoStruct('T', { Ports: [] })), 'none');
  assert.equal(run('{{with .Service}}<{{.}}>{{end}}{{with ""}}no{{else}}empty{{end}}'), '<web>empty');
  assert.equal(run('{{$n := .Name}}{{$n}}'), 'demo-web-1');
  assert.equal(run('{{.}}', NO_VALUE), '<no value>');
});

test("an unknown field or function is Go's error, with line and column", () => {
  assert.throws(() => run('{{.Name}} {{.Foo}}'), (error: unknown) => {
    assert.ok(error instanceof TemplateExecError);
    assert.equal(error.message, 'template: :1:12: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext');
    assert.equal(error.partial, 'demo-web-1 ');
    return true;
  });
  assert.throws(() => GoTemplate.parse('{{nope .Name}}'), new TemplateSyntaxError('template: :1: function "nope" not defined'));
  assert.throws(() => GoTemplate.parse('{{.Name'), /template: :1: unclosed action/);
  assert.throws(() => GoTemplate.parse('{{if .Name}}x'), /template: :1: unexpected EOF/);
  assert.throws(() => GoTemplate.parse('{{end}}'), /unexpected \{\{end\}\}/);
  assert.throws(() => run('{{upper .ExitCode}}'), /wrong type for value; expected string; got int/);
  assert.throws(() => run('{{index .Networks 5}}'), /error calling index: index out of range: 5/);
});

test('what berth does not do is refused by name, not mis-run', () => {
  assert.throws(() => GoTemplate.parse('{{define "x"}}y{{end}}'), /\{\{define\}\} is not supported by berth's templates/);
  assert.throws(() => GoTemplate.parse('{{template "x"}}'), /\{\{template\}\} is not supported/);
  assert.throws(() => GoTemplate.parse('{{call .Name}}'), /function "call" is not supported/);
});
