/**
 * The committed mutation report (`npm run mutate` keeps it as its incremental file) and the list of equivalent
 * mutants agree: every mutant that survived is listed in test/mutation/EQUIVALENT.md at its file and line, with
 * a reason, and every row there stands for a survivor of the report (a row left behind after its mutant was
 * killed, or whose line moved, fails here). Checked for each file the report measured as it is now; a file
 * changed since its run is skipped until the next `npm run mutate` (which takes hours for all of src/), and a
 * file the report does not hold yet has no score to check.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
// @ts-expect-error: a plain .mjs script (node test/mutation/scores.mjs prints the table), without types
import { REPORTS, scoreTable } from './mutation/scores.mjs'

const root = new URL('../', import.meta.url)

interface Mutant {
  mutatorName: string
  replacement?: string
  status: string
  location: { start: { line: number } }
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>
}

const UNDETECTED = new Set(['Survived', 'NoCoverage'])
const reports = (REPORTS as string[]).map((path) => JSON.parse(readFileSync(new URL(path, root), 'utf8')) as Report)
const measured = reports.flatMap((report) => Object.entries(report.files))
/** Files whose measured source is the file as it is now. */
const current = new Set(measured.filter(([file, { source }]) => readFileSync(new URL(file, root), 'utf8') === source).map(([file]) => file))
const changed = measured.map(([file]) => file).filter((file) => !current.has(file))
const atLines = (statuses: Set<string>) =>
  measured
    .filter(([file]) => current.has(file))
    .flatMap(([file, { mutants }]) => mutants.filter((m) => statuses.has(m.status)).map((m) => ({ at: `${file}:${m.location.start.line}`, mutant: m })))
const survivors = atLines(UNDETECTED)
/**
 * An equivalent mutant that runs every covering test file can exceed Stryker's time limit on a loaded machine
 * and be reported as timed out (counted as detected): its row may stand.
 */
const timedOut = atLines(new Set(['Timeout']))

/** `| src/x.ts:12 | mutation | reason |` rows of EQUIVALENT.md, by `file:line`. */
export function equivalentRows(markdown: string): Map<string, string> {
  const rows = new Map<string, string>()
  for (const line of markdown.split('\n')) {
    const cells = line.split(' | ')
    const at = /^\| (src\/\S+:\d+)$/.exec(cells[0] ?? '')?.[1]
    if (at !== undefined) rows.set(at, cells.slice(2).join(' | ').replace(/ \|$/, ''))
  }
  return rows
}

const rows = equivalentRows(readFileSync(new URL('test/mutation/EQUIVALENT.md', root), 'utf8'))

t.test('the rows are read as file:line and reason', async (t) => {
  t.same([...equivalentRows('| file:line | a | b |\n|---|---|---|\n| src/a.ts:3 | `x` → `y` | no one can tell |\nprose\n')], [['src/a.ts:3', 'no one can tell']])
})

t.test('every survivor of the report is listed as equivalent, with a reason', async (t) => {
  t.ok(current.size > 0, 'the report measured files as they are now')
  if (changed.length > 0) t.comment(`changed since the report measured them, not checked: ${changed.join(', ')}`)
  for (const { at, mutant } of survivors) {
    t.ok((rows.get(at) ?? '').trim().length > 0, `${at} ${mutant.mutatorName} → ${mutant.replacement ?? ''}: kill it with a test, or list it with the reason no user could notice`)
  }
})

t.test('every row of EQUIVALENT.md stands for a survivor of the report', async (t) => {
  const surviving = new Set([...survivors, ...timedOut].map((s) => s.at))
  for (const at of rows.keys()) {
    if (!current.has(at.replace(/:\d+$/, ''))) continue
    t.ok(surviving.has(at), `${at} is no survivor (nor timed out) in the report: remove the row, or move it to the mutant's line`)
  }
})

t.test('README shows the scores of the committed reports', async (t) => {
  const table = scoreTable(root) as string
  const readme = readFileSync(new URL('README.md', root), 'utf8').split('\n').map((line) => line.trim()).join('\n')
  t.ok(readme.includes(table), `README "Mutation testing" must hold the table that node test/mutation/scores.mjs prints:\n${table}`)
})
