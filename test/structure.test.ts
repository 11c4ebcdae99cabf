/**
 * The shape of src/ (README "Architecture"): no function longer than 60 lines, and nothing below the edges
 * reads the environment. (The import walls are dependency-cruiser's: npm run depcruise.)
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import ts from 'typescript'
import { root } from './fixtures/helpers.js'

const MAX_LINES = 60

function sourceFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(new URL(`${e.name}/`, dir)) : e.name.endsWith('.ts') ? [new URL(e.name, dir)] : [],
  )
}
const relative = (file: URL): string => file.pathname.replace(new URL('.', root).pathname, '')

interface Fn {
  where: string
  name: string
  lines: number
}

/** Every function, method, arrow and accessor of a file, with its length in lines (first to last). */
export function functionsOf(fileName: string, text: string): Fn[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true)
  const out: Fn[] = []
  const line = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const named = (node as ts.FunctionLikeDeclaration).name
      const parent = node.parent
      const name = named?.getText(sf) ?? (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) ? parent.name.getText(sf) : '(anonymous)')
      const start = line(node.getStart(sf))
      out.push({ where: `${fileName}:${start}`, name, lines: line(node.getEnd()) - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

const files = sourceFiles(new URL('src/', root))

t.test('the length check sees functions of every kind', async (t) => {
  const fns = functionsOf('x.ts', 'function a() {\n}\nconst b = () => {\n\n}\nclass C { m() { return 1 } }\nconst o = { p: function () {} }\n')
  t.same(fns.map((f) => [f.name, f.lines]), [['a', 2], ['b', 3], ['m', 1], ['p', 1]])
})

t.test(`no function in src/ is longer than ${MAX_LINES} lines`, async (t) => {
  const all = files.flatMap((f) => functionsOf(relative(f), readFileSync(f, 'utf8')))
  t.ok(all.length > 100, `${all.length} functions read`)
  const long = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.where} ${f.name}: ${f.lines} lines`)
  t.same(long, [], 'split these into named steps')
})

t.test('below the edges nothing reads the environment', async (t) => {
  const edges = /^src\/(server\.ts|cli\.ts|http\/)/
  const pure = files.filter((f) => !edges.test(relative(f)))
  t.ok(pure.length > 20)
  for (const f of pure) t.notMatch(readFileSync(f, 'utf8'), /process\.env/, `${relative(f)} reads no process.env`)
})
