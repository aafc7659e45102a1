// The import rule of docs/ARCHITECTURE.md that a tool checks (`npm run lint`, part of `npm test`): no module
// reaches itself again through what it imports. Type-only imports are erased at run time and do not count.
/** One rule per stage: `from` may not import any of `later` (folders under src/) except for types. */
function stageRules(stages) {
  return stages.map(([from, later]) => ({
    name: `stage-order-${from.replace('/', '-')}`,
    severity: 'error',
    comment: `src/${from}/ comes before ${later.join(', ')} in the flow (docs/ARCHITECTURE.md): move what both need earlier.`,
    // A test may drive the whole tool (the config golden files run the CLI in memory).
    from: { path: `^src/${from}/`, pathNot: '\\.test\\.ts$' },
    to: { path: `^src/(${later.join('|')})/`, dependencyTypesNot: ['type-only'] },
  }));
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // The stages of docs/ARCHITECTURE.md, in the order data flows: a stage imports only those before it. Types
    // may be shared backwards (erased at run time); code may not.
    ...stageRules([
      ['model', ['graph', 'observe', 'plan', 'apply', 'watch', 'progress', 'format', 'kubernetes', 'engine-client', 'app', 'lib', 'cli']],
      ['graph', ['observe', 'plan', 'apply', 'watch', 'progress', 'engine-client', 'app', 'lib', 'cli']],
      ['observe', ['plan', 'apply', 'watch', 'app', 'lib', 'cli']],
      ['plan', ['apply', 'watch', 'engine-client', 'app', 'lib', 'cli']],
      ['apply', ['watch', 'app', 'lib', 'cli']],
      ['engine-api', ['model', 'graph', 'observe', 'plan', 'apply', 'watch', 'progress', 'format', 'engine-client', 'app', 'lib', 'cli', 'engine']],
      // The engine: server -> services -> runtime -> store; and nothing of the tool's stages.
      ['engine/store', ['engine/runtime', 'engine/services', 'engine/server']],
      ['engine/runtime', ['engine/services', 'engine/server']],
      ['engine/services', ['engine/server']],
      ['engine', ['model', 'graph', 'observe', 'plan', 'apply', 'watch', 'progress', 'format', 'kubernetes', 'engine-client', 'app', 'lib', 'cli']],
    ]),
    {
      name: 'engine-is-separate',
      severity: 'error',
      comment: 'Only `berth engine` (src/cli/engine.ts) starts the engine in-process; everything else speaks the Engine API.',
      from: { path: '^src/(?!engine/)', pathNot: '^src/cli/engine\\.ts$' },
      to: { path: '^src/engine/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'app-for-front-ends',
      severity: 'error',
      comment: 'src/app/ composes the stages for the front ends (cli/, lib/, and the CI report they write); no stage imports it.',
      from: { path: '^src/(?!app/|cli/|lib/|report/)' },
      to: { path: '^src/app/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module reaches itself again through its imports: move what both need to a module both import.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)generated/' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
