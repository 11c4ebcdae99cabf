// Stryker plugins for npm run mutate (stryker.config.json). Test runner "tap-fastest-first": Stryker's tap
// runner, with the test files that cover a mutant run cheapest first, and test files named by their TypeScript
// source. Reporter "survivors-as-they-come" (at the end of this file).
//
// Why: the tap runner starts one process per test file and stops at the first file that fails, but it runs the
// covering files in the order the dry run met them, which is glob order and not stable. A 2 s property or fuzz
// file then often runs before the 0.2 s unit file that kills the mutant. On src/basics/quantity.ts (335 mutants)
// the report's killed mutants would take 105 s of test time cheapest first against 2,261 s in name order (each
// file's time summed up to the file that killed it); the whole run went from 12 min 51 s to 10 min 42 s, as most
// of its time went to the 48 survivors, which run every covering file either way. Which files run, and the
// verdicts, do not change: only their order.
//
// Names: the sandbox runs the compiled test/x.test.js (stryker.config.json), but the project has only
// test/x.test.ts. Stryker's incremental mode compares a test file's text with the last run's to know which results
// still hold, so tests are reported under the .ts name (the file a person edits) and mapped back to run them.
//
// The dry run happens in one worker process and mutants run in others, so the dry run's times go through a file
// in the sandbox (the working directory of every worker).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import { commonTokens, declareClassPlugin, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin'
import { createTapTestRunnerFactory } from '@stryker-mutator/tap-runner'

const createTapTestRunner = createTapTestRunnerFactory()

const TIMES_FILE = '.stryker-test-file-times.json'

const toSource = (id) => id.replace(/\.test\.js$/, '.test.ts')
const toRun = (id) => id.replace(/\.test\.ts$/, '.test.js')

class FastestFirst {
  /** @param {import('@stryker-mutator/api/test-runner').TestRunner} inner */
  constructor(inner) {
    this.inner = inner
    /** @type {Record<string, number> | undefined} */
    this.times = undefined
  }

  capabilities() {
    return this.inner.capabilities()
  }

  init() {
    return this.inner.init?.()
  }

  dispose() {
    return this.inner.dispose?.()
  }

  async dryRun(options) {
    const result = await this.inner.dryRun(options)
    if (result.status !== 'complete') return result
    writeFileSync(TIMES_FILE, JSON.stringify(Object.fromEntries(result.tests.map((t) => [toSource(t.id), t.timeSpentMs]))))
    const tests = result.tests.map((t) => ({ ...t, id: toSource(t.id), name: toSource(t.name), fileName: toSource(t.fileName) }))
    const coverage = result.mutantCoverage
    // the tap runner reports what ran even when coverage analysis is off, and Stryker would then take the code
    // that only a child process runs (src/server.ts) as not covered: with "off" there is no coverage to report
    if (options.coverageAnalysis === 'off') return { ...result, tests, mutantCoverage: undefined }
    const mutantCoverage = coverage && {
      static: coverage.static,
      perTest: Object.fromEntries(Object.entries(coverage.perTest).map(([id, hits]) => [toSource(id), hits])),
    }
    return { ...result, tests, mutantCoverage }
  }

  async mutantRun(options) {
    const times = this.knownTimes()
    const time = (id) => times[id] ?? Number.POSITIVE_INFINITY
    const testFilter = options.testFilter && [...options.testFilter].sort((a, b) => time(a) - time(b) || a.localeCompare(b)).map(toRun)
    const result = await this.inner.mutantRun({ ...options, testFilter })
    return result.status === 'killed' ? { ...result, killedBy: result.killedBy.map(toSource) } : result
  }

  knownTimes() {
    if (this.times === undefined) {
      try {
        this.times = JSON.parse(readFileSync(TIMES_FILE, 'utf8'))
      } catch {
        this.times = {}
      }
    }
    return this.times
  }
}

function createFastestFirst(injector) {
  return new FastestFirst(createTapTestRunner(injector))
}
createFastestFirst.inject = tokens(commonTokens.injector)

/**
 * Reporter "survivors-as-they-come": each mutant that survives, as one JSON line in
 * reports/mutation/survivors.jsonl the moment it is known (the clear-text report comes only at the end of
 * a run that may take an hour).
 */
class SurvivorsAsTheyCome {
  static inject = tokens()
  file = 'reports/mutation/survivors.jsonl'

  onDryRunCompleted() {
    mkdirSync('reports/mutation', { recursive: true })
    writeFileSync(this.file, '')
  }

  onMutantTested(m) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') return
    const at = `${relative(process.cwd(), m.fileName)}:${m.location.start.line}:${m.location.start.column}`
    appendFileSync(this.file, `${JSON.stringify({ at, status: m.status, mutator: m.mutatorName, replacement: m.replacement })}\n`)
  }
}

export const strykerPlugins = [
  declareFactoryPlugin(PluginKind.TestRunner, 'tap-fastest-first', createFastestFirst),
  declareClassPlugin(PluginKind.Reporter, 'survivors-as-they-come', SurvivorsAsTheyCome),
]
