// Mutation testing of src/server.ts, the process entry point (README 'Mutation testing'; `npm run mutate` runs
// it after stryker.config.json, which leaves this file out). test/server.test.ts runs the server as a child
// process, where Stryker cannot record which code ran, so the main run would report every mutant here as not
// covered. The child inherits Stryker's active-mutant variable, and the instrumented code reads it, so the
// mutant is live in the child: this run skips coverage ("off") and tests each mutant with test/server.test.ts.
import base from './stryker.config.json' with { type: 'json' }

export default {
  ...base,
  _comment: undefined,
  mutate: ['src/server.ts'],
  coverageAnalysis: 'off',
  tap: { ...base.tap, testFiles: ['test/server.test.js'] },
  incrementalFile: 'test/mutation/stryker-incremental-server.json',
  jsonReporter: { fileName: 'reports/mutation/server.json' },
}
