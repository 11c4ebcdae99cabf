/**
 * The docs name files of this repository in backticks (`src/http/etag.ts`, `test/e2e/lib/wait.ts`, …): each one
 * must exist, so that a move in src/ cannot leave the README pointing at a file that is gone.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import t from 'tap'
import { readText } from './fixtures/helpers.js'

const root = new URL('../', import.meta.url).pathname
const DOCS = ['README.md', 'test/e2e/README.md']

/** Paths in backticks under the repository's own folders; a `*` or `<…>` part makes it a pattern. */
export function namedPaths(markdown: string): string[] {
  const found = markdown.match(/`(?:src|test|scripts|bench|manifests|metacontroller|examples)\/[\w./*<>-]+(?::\d+)?`/g) ?? []
  const paths = found.map((p) => p.slice(1, -1).replace(/:\d+$/, ''))
  // a file has an extension, a folder ends with a slash: `metacontroller/metacontroller` is a ServiceAccount
  return [...new Set(paths.filter((p) => p.endsWith('/') || /[.*][^/]*$/.test(p)))]
}

/** Whether a named path exists; `*` and `<…>` match any one name within their folder. */
export function exists(path: string): boolean {
  if (!/[*<]/.test(path)) return existsSync(root + path.replace(/\/$/, ''))
  const parts = path.split('/')
  const at = parts.findIndex((p) => /[*<]/.test(p))
  const dir = parts.slice(0, at).join('/')
  const pattern = new RegExp(`^${parts[at]!.replace(/[.]/g, '\\.').replace(/\*|<[^>]*>/g, '[^/]*')}$`)
  if (!existsSync(root + dir) || !statSync(root + dir).isDirectory()) return false
  const rest = parts.slice(at + 1).join('/')
  return readdirSync(root + dir)
    .filter((name) => pattern.test(name))
    .some((name) => (rest === '' ? true : exists(`${dir}/${name}/${rest}`)))
}

/** Build outputs (test/e2e/.bin, dist/, …) are named by the docs but exist only once built: git ignores them. */
export function ignoredByGit(path: string): boolean {
  try {
    // as a file or as a folder: a pattern such as `.bin/` only matches a folder, which a fresh clone lacks
    execFileSync('git', ['check-ignore', path, `${path.replace(/\/$/, '')}/`], { cwd: root, stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

t.test('every file the docs name in backticks exists (or is a build output git ignores)', async (t) => {
  for (const doc of DOCS) {
    const paths = namedPaths(readText(doc))
    t.ok(paths.length > 0, `${doc} names files`)
    t.same(paths.filter((p) => !exists(p) && !ignoredByGit(p)), [], `${doc}: named files that do not exist`)
  }
})

t.test('the check itself: a missing file, a pattern, a line number', async (t) => {
  t.same(namedPaths('see `src/nope.ts` and `src/hook.ts:12` and `test/*.test.ts`, `src/http/`, not `metacontroller/metacontroller`'), ['src/nope.ts', 'src/hook.ts', 'test/*.test.ts', 'src/http/'])
  t.equal(exists('src/nope.ts'), false)
  t.equal(exists('src/hook.ts'), true)
  t.equal(exists('test/*.test.ts'), true)
  t.equal(exists('test/fixtures/server-verdicts/<tag>.json'), true)
  t.equal(exists('test/*.nothing'), false)
  t.equal(exists('nowhere/*/x'), false)
  t.equal(exists('README.md/*'), false, 'a file is no folder')
  t.equal(exists('src/*/content-cache.ts'), true)
  t.equal(ignoredByGit('test/e2e/.bin'), true, 'a build output')
  t.equal(ignoredByGit('src/nope.ts'), false)
})
