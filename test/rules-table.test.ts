/** README "Validation rules" and the rules the code runs cannot drift: the same (reason, field) rows, each as often. */
import t from 'tap'
import { validationRules } from '../src/validation/rules.js'
import { readText } from './fixtures/helpers.js'

/** The (reason, field) rows of the table under `heading`. */
export function tableRows(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`)
  if (start < 0) return []
  const lines = markdown.slice(start).split('\n').slice(2)
  const table = lines.slice(lines.findIndex((l) => l.startsWith('| reason |')) + 2)
  const rows = table.slice(0, table.findIndex((l) => !l.startsWith('|')))
  return rows.map((row) => {
    const [reason, field] = row.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/`/g, ''))
    return `${reason} ${field}`
  })
}

const readme = readText('README.md')
const code = validationRules().map((r) => `${r.reason} ${r.field}`)

t.test('every rule of the code is in the README table, and every row of the table is a rule of the code', async (t) => {
  const table = tableRows(readme, '### Validation rules')
  t.ok(table.length > 30, `${table.length} rows`)
  const missing = code.filter((r) => table.filter((x) => x === r).length < code.filter((x) => x === r).length)
  const extra = table.filter((r) => code.filter((x) => x === r).length < table.filter((x) => x === r).length)
  t.same([...new Set(missing)], [], 'rules of the code missing from the table')
  t.same([...new Set(extra)], [], 'rows of the table that are no rule of the code')
  t.same(table, code, 'in the order the rules run')
})

t.test('the table reader', async (t) => {
  t.same(tableRows('x\n### H\n\ntext\n\n| reason | field | rule |\n|---|---|---|\n| `A` | `b.c` | d |\n\nafter\n', '### H'), ['A b.c'])
  t.same(tableRows('no such heading', '### H'), [])
})
