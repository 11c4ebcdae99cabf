// Merges Stryker mutation reports of runs over parts of src/ into one report, usable as the incremental file:
//
//   node test/mutation/merge-reports.mjs OUT.json A.json B.json ...
//
// Why: a run over all of src/ takes longer than one sitting, so it is done a folder at a time
// (`npx stryker run --mutate "src/http/*.ts" --incrementalFile part.json`), and Stryker's incremental file only
// ever holds the files of the last run. Later reports win for a source file found in several. Test ids are
// numbers that each run assigns in its own order, so tests are matched by name and renumbered. A test file's
// text is taken from the earliest report that has it: when a test changed between runs, incremental mode then
// sees the change and re-tests the mutants it covers, instead of trusting a result from older tests.
import { readFileSync, writeFileSync } from 'node:fs'

const [out, ...inputs] = process.argv.slice(2)
if (!out || inputs.length === 0) {
  console.error('usage: node test/mutation/merge-reports.mjs OUT.json REPORT.json...')
  process.exit(2)
}

const reports = inputs.map((f) => JSON.parse(readFileSync(f, 'utf8')))
const merged = { ...reports.at(-1), files: {}, testFiles: {} }
const idByName = new Map()

for (const report of reports) {
  const renumber = new Map()
  for (const [file, testFile] of Object.entries(report.testFiles ?? {})) {
    const kept = (merged.testFiles[file] ??= { source: testFile.source, tests: [] })
    for (const test of testFile.tests) {
      if (!idByName.has(test.name)) {
        idByName.set(test.name, String(idByName.size))
        kept.tests.push({ ...test, id: idByName.get(test.name) })
      }
      renumber.set(test.id, idByName.get(test.name))
    }
  }
  const ids = (list) => list?.map((id) => renumber.get(id) ?? id)
  for (const [file, result] of Object.entries(report.files)) {
    merged.files[file] = {
      ...result,
      mutants: result.mutants.map((m) => ({ ...m, coveredBy: ids(m.coveredBy), killedBy: ids(m.killedBy) })),
    }
  }
}

writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`)
const count = (status) => Object.values(merged.files).flatMap((f) => f.mutants).filter((m) => status.includes(m.status)).length
const detected = count(['Killed', 'Timeout'])
const undetected = count(['Survived', 'NoCoverage'])
console.log(`${Object.keys(merged.files).length} files, score ${((100 * detected) / (detected + undetected)).toFixed(2)} % (${detected} killed or timed out, ${undetected} survived or not covered, ${count(['CompileError'])} did not compile)`)
