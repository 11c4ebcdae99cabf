/**
 * The walls of src/ (README "Architecture"), checked by `npm test` (npm run depcruise). Every import runs
 * downwards: edges (server.ts, cli.ts, http/) → hook.ts → status.ts → children/ → validation/ → schema/,
 * basics/. Type-only imports count too.
 */
const PURE = '^src/(hook\\.ts|status\\.ts|children/|validation/|schema/|basics/|crd/)'
const EDGES = '^src/(http/|server\\.ts|cli\\.ts)'

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle', from: {}, to: { circular: true } },
    {
      name: 'schema-is-the-bottom',
      severity: 'error',
      comment: 'src/schema imports nothing else of src/',
      from: { path: '^src/schema/' },
      to: { path: '^src/', pathNot: '^src/schema/' },
    },
    {
      name: 'basics-are-basic',
      severity: 'error',
      comment: 'src/basics imports nothing else of src/',
      from: { path: '^src/basics/' },
      to: { path: '^src/', pathNot: '^src/basics/' },
    },
    {
      name: 'validation-below-children',
      severity: 'error',
      comment: 'validation knows nothing of the children, the status, the core or the edges',
      from: { path: '^src/validation/' },
      to: { path: '^src/(children/|status\\.ts|hook\\.ts|crd/)' },
    },
    {
      name: 'children-below-status',
      severity: 'error',
      comment: 'the builders know nothing of the status or the core',
      from: { path: '^src/children/' },
      to: { path: '^src/(status\\.ts|hook\\.ts|crd/)' },
    },
    {
      name: 'status-below-hook',
      severity: 'error',
      from: { path: '^src/status\\.ts' },
      to: { path: '^src/(hook\\.ts|crd/)' },
    },
    {
      name: 'pure-core-no-edges',
      severity: 'error',
      comment: 'the core, status, builders and checks never import the HTTP edge, the process entry or the CLI',
      from: { path: PURE },
      to: { path: EDGES },
    },
    {
      name: 'pure-core-no-settings-reader',
      severity: 'error',
      comment: 'builders, status and checks take settings as arguments; only the edges (and the core, for the type) see settings.ts',
      from: { path: '^src/(status\\.ts|children/|validation/|schema/|basics/|crd/)' },
      to: { path: '^src/settings\\.ts' },
    },
    {
      name: 'pure-core-no-http-or-logging',
      severity: 'error',
      comment: 'no fastify, pino or process plumbing below the edges',
      from: { path: PURE },
      to: { path: 'node_modules/(fastify|@fastify/|pino|close-with-grace)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'src/ uses only packages package.json lists as dependencies (not dev dependencies)',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
