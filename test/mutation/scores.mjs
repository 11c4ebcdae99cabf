// The README's mutation score table, computed from the committed reports:
//
//   node test/mutation/scores.mjs                  (prints it)
//   node test/mutation/scores.mjs --update-readme  (writes it over the table in README.md)
//
// Score as Stryker counts it: killed and timed-out mutants over those that compiled (survivors, listed as
// equivalent or not, count against it). test/mutation-report.test.ts checks that README.md holds this table.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const REPORTS = ['test/mutation/stryker-incremental.json', 'test/mutation/stryker-incremental-server.json']
const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

const pct = (detected, undetected) => `${((100 * detected) / (detected + undetected)).toFixed(1)} %`
const n = (x) => x.toLocaleString('en-US')

/** Rows of per-file counts, sorted by file, and the total, from the reports at `root`. */
export function scores(root) {
  const files = REPORTS.flatMap((path) => Object.entries(JSON.parse(readFileSync(new URL(path, root), 'utf8')).files))
  const rows = files
    .map(([file, { mutants }]) => ({
      file,
      mutants: mutants.length,
      detected: mutants.filter((m) => DETECTED.has(m.status)).length,
      undetected: mutants.filter((m) => UNDETECTED.has(m.status)).length,
      compileErrors: mutants.filter((m) => m.status === 'CompileError').length,
    }))
    .sort((a, b) => a.file.localeCompare(b.file))
  const sum = (key) => rows.reduce((s, r) => s + r[key], 0)
  const total = { file: 'all files measured', mutants: sum('mutants'), detected: sum('detected'), undetected: sum('undetected'), compileErrors: sum('compileErrors') }
  return { rows, total }
}

/** The markdown table README.md shows. */
export function scoreTable(root) {
  const { rows, total } = scores(root)
  const line = (r, b = (s) => s) =>
    `| ${b(r.file.startsWith('src/') ? `\`${r.file}\`` : r.file)} | ${b(n(r.mutants))} | ${b(n(r.detected))} | ${b(n(r.undetected))} | ${b(n(r.compileErrors))} | ${b(pct(r.detected, r.undetected))} |`
  return [
    '| file | mutants | killed or timed out | survived (all equivalent) | did not compile | score |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => line(r)),
    line(total, (s) => `**${s}**`),
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../../', import.meta.url)
  const table = scoreTable(root)
  if (process.argv[2] !== '--update-readme') console.log(table)
  else {
    const readme = new URL('README.md', root)
    const lines = readFileSync(readme, 'utf8').split('\n')
    const start = lines.findIndex((l) => l.trim().startsWith('| file | mutants |'))
    let end = start
    while (lines[end]?.trim().startsWith('|')) end++
    const indent = lines[start].slice(0, lines[start].indexOf('|'))
    lines.splice(start, end - start, ...table.split('\n').map((l) => indent + l))
    writeFileSync(readme, lines.join('\n'))
  }
}
