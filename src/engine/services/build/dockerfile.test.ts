import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, keyValues, parseDockerfile } from './dockerfile.js';

test('stages, flags, exec and shell forms, continuations, comments and heredocs', () => {
  const file = parseDockerfile(`# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM \${BASE} AS build
# a comment
RUN echo one \\
  # dropped inside a continuation
  && echo two
COPY --from=build --chown=1:1 a b /dst/
CMD ["sh", "-c", "echo hi"]
RUN <<EOF
echo from heredoc
EOF
from build
`);
  assert.equal(file.globalArgs.length, 1);
  assert.equal(file.stages.length, 2);
  assert.equal(file.stages[0]!.name, 'build');
  const [run, copy, cmd, heredoc] = file.stages[0]!.instructions;
  assert.equal(run!.text, 'echo one   && echo two');
  assert.deepEqual(copy!.flags, { from: 'build', chown: '1:1' });
  assert.equal(copy!.text, 'a b /dst/');
  assert.deepEqual(cmd!.json, ['sh', '-c', 'echo hi']);
  assert.deepEqual(heredoc!.heredocs, [{ name: 'EOF', body: 'echo from heredoc\n' }]);
});

test('errors name the line: unknown instructions, a missing FROM, instructions before FROM', () => {
  assert.throws(() => parseDockerfile('FROM x\nFROBNICATE y\n'), /line 2: unknown instruction: FROBNICATE/);
  assert.throws(() => parseDockerfile('RUN true\n'), /line 1: no build stage/);
  assert.throws(() => parseDockerfile('# only a comment\n'), /no FROM instruction/);
  assert.throws(() => parseDockerfile('FROM a AS\n'), /FROM requires/);
});

test('the escape directive changes the continuation character', () => {
  const file = parseDockerfile('# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo\n');
  assert.equal(file.stages[0]!.instructions[0]!.text, 'dir c:\\   && echo');
});

test('variables expand with defaults and alternatives; escaped dollars stay', () => {
  const vars = { A: 'a', EMPTY: '' };
  assert.equal(expand('$A ${A} ${B:-bee} ${A:+alt} ${EMPTY:-e} \\$A', vars), 'a a bee alt e $A');
});

test('KEY=value pairs with quotes, and the legacy ENV form', () => {
  assert.deepEqual(keyValues('A=1 B="two words" C=\'x\'', false, 1), [['A', '1'], ['B', 'two words'], ['C', 'x']]);
  assert.deepEqual(keyValues('NAME some value', true, 1), [['NAME', 'some value']]);
  assert.throws(() => keyValues('NAME value', false, 3), /line 3/);
});
