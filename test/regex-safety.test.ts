/**
 * No regular expression in src/ can stall the event loop (issue: a 115 KB request once blocked the hook for
 * 100 s). Every pattern the source holds (regex literals, `new RegExp("...")` and the `pattern` strings of
 * the TypeBox schemas, which the validators compile) is (1) proven free of super-linear backtracking by
 * recheck's static and fuzzing analysis, and (2) run against 100,000-character adversarial inputs.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { checkSync } from 'recheck'
import t from 'tap'
import ts from 'typescript'
import { root } from './fixtures/helpers.js'

interface Found {
  where: string
  source: string
  flags: string
}

function sourceFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(new URL(`${e.name}/`, dir)) : e.name.endsWith('.ts') ? [new URL(e.name, dir)] : [],
  )
}

/** Every pattern written in a source file, with its line. */
function patternsOf(file: URL): Found[] {
  const text = readFileSync(file, 'utf8')
  const sf = ts.createSourceFile(file.pathname, text, ts.ScriptTarget.ES2022, true)
  const out: Found[] = []
  const at = (node: ts.Node) => `${file.pathname.replace(new URL('.', root).pathname, '')}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const lit = node.text
      const end = lit.lastIndexOf('/')
      out.push({ where: at(node), source: lit.slice(1, end), flags: lit.slice(end + 1) })
    } else if (ts.isNewExpression(node) && node.expression.getText() === 'RegExp' && node.arguments?.[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      out.push({ where: at(node), source: node.arguments[0].text, flags: '' })
    } else if (ts.isPropertyAssignment(node) && node.name.getText() === 'pattern' && ts.isStringLiteralLike(node.initializer)) {
      out.push({ where: at(node), source: node.initializer.text, flags: 'u' })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

const found = sourceFiles(new URL('src/', root)).flatMap(patternsOf)

/**
 * The pattern as the engine runs it: a sticky one (flag y) matches only at lastIndex, as if anchored there,
 * so it is checked anchored (unanchored, a scan of a string from every position would be quadratic).
 */
const asRun = (f: Found): string => (f.flags.includes('y') ? `^(?:${f.source})` : f.source)

t.test('the scan finds the patterns of src/', async (t) => {
  t.ok(found.length >= 10, `${found.length} patterns`)
  t.ok(found.some((f) => f.where.startsWith('src/basics/quantity.ts')), 'regex literals')
  t.ok(found.some((f) => f.where.startsWith('src/validation/shapes.ts') && f.source === '^/'), 'schema pattern strings')
  t.ok(found.some((f) => f.where.startsWith('src/http/json-body.ts') && f.flags === 'y'), 'sticky patterns (checked anchored)')
})

t.test('recheck finds no super-linear backtracking in any pattern', async (t) => {
  for (const f of found) {
    const d = checkSync(asRun(f), f.flags.replace(/[gy]/g, ''), { timeout: 20_000 })
    t.equal(d.status, 'safe', `${f.where} /${f.source}/${f.flags}${d.status === 'vulnerable' ? ` (attack: ${JSON.stringify(d.attack.string).slice(0, 40)}…)` : ''}`)
  }
  t.equal(checkSync('^(0*)(\\d*)$', '').status, 'vulnerable', 'the check does catch the kind of pattern that stalled the hook')
})

/** Long runs of the characters patterns repeat, each ending in something that makes the match fail late. */
const ADVERSARIAL = ['0', 'a', '/', '-', '.', ' ', 'Z', '\\'].flatMap((c) => [c.repeat(100_000), `${c.repeat(100_000)}!`, `a${c.repeat(100_000)}\u0000`])

t.test('every pattern answers 100,000-character adversarial inputs', { timeout: 120_000 }, async (t) => {
  let runs = 0
  for (const f of found) {
    const re = new RegExp(asRun(f), f.flags.replace(/[gy]/g, ''))
    for (const input of ADVERSARIAL) {
      re.test(input)
      runs++
    }
  }
  t.equal(runs, found.length * ADVERSARIAL.length, 'all ran within the test timeout (a super-linear pattern takes minutes on one input)')
})
