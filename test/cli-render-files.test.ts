/**
 * `mcpregistry-hook render` on the files users really give it: what it prints for odd documents, registries
 * without a namespace, long values and errors (stdout, stderr and exit code, as in test/cli.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { run, USAGE } from '../src/cli.js'
import { MINIMAL_CONFIG, NOW, readText } from './fixtures/helpers.js'

function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, now: NOW })
  return { code, stdout, stderr }
}

const dir = mkdtempSync(join(tmpdir(), 'cli-files-'))
function write(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** A namespace-less MCPRegistry `r` with this configYAML (a JSON string is a YAML double-quoted one). */
const registry = (configYAML: string): string =>
  `apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPRegistry\nmetadata: {name: r}\nspec: {configYAML: ${JSON.stringify(configYAML)}}\n`
const REGISTRY = registry('x: [')
const FAILED_MESSAGE =
  'Spec validation failed: spec.configYAML line 1: is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]); fix the syntax; nothing is created until this is fixed'

t.test('a YAML error names the file and the parser\'s whole first line, then the usage', async (t) => {
  const bad = write('bad.yaml', 'kind: [\n')
  t.same(cli(['render', '-f', bad]), {
    code: 64,
    stdout: '',
    stderr: `mcpregistry-hook: ${bad} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:\n\n${USAGE}`,
  })
})

t.test('a bad setting prints its message alone, without the usage, and exits 2', async (t) => {
  t.same(cli(['render', '-f', write('r.yaml', REGISTRY)], { PORT: 'x' }), {
    code: 2,
    stdout: '',
    stderr: 'mcpregistry-hook: PORT="x" is not valid: use a whole number from 1 to 65535\n',
  })
})

t.test('documents that are not objects (empty ones, null or text list items) are skipped', async (t) => {
  const withEmpty = write('with-empty.yaml', `---\n# nothing yet\n---\n${REGISTRY}---\n# a trailing empty document\n`)
  const observed = write('observed.yaml', '- null\n- just text\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: r-api}\n---\n')
  const plain = cli(['render', '-f', write('plain.yaml', REGISTRY), '--observed', write('deployment.yaml', '- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: r-api}\n')])
  const out = cli(['render', '-f', withEmpty, '--observed', observed])
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.equal(out.stdout, plain.stdout, 'the same answer as for the file without them')
})

t.test('a registry without metadata.namespace renders its children in namespace default', async (t) => {
  const out = cli(['render', '-f', write('no-namespace.yaml', registry(MINIMAL_CONFIG))])
  t.equal(out.code, 0)
  const children = parse(out.stdout).children as { kind: string; metadata: { namespace?: string } }[]
  t.ok(children.length > 0)
  for (const child of children) t.equal(child.metadata.namespace, 'default', child.kind)
})

t.test('long values are printed on one line, as grep finds them', async (t) => {
  const out = cli(['render', '-f', write('failed.yaml', REGISTRY)])
  t.equal(out.code, 0)
  t.ok(out.stdout.includes(`\n  message: "${FAILED_MESSAGE}"\n`), 'status.message on one line')
})

t.test('only documents of kind ConfigMap and apiVersion v1 count as related ConfigMaps', async (t) => {
  const example = readText('examples/configmap.yaml')
  const cases: [string, string][] = [
    ['kind is a list', example.replace(/^kind: ConfigMap$/m, 'kind: [ConfigMap]')],
    ['apiVersion is a list', example.replace(/^apiVersion: v1\nkind: ConfigMap$/m, 'apiVersion: [v1]\nkind: ConfigMap')],
  ]
  for (const [name, text] of cases) {
    t.not(text, example, `${name}: the fixture differs from the example`)
    const out = cli(['render', '-f', write('configmap.yaml', text)])
    t.equal(out.code, 0, name)
    const conditions = parse(out.stdout).status.conditions as { type: string; reason: string }[]
    t.match(conditions.find((c) => c.type === 'RegistryDataValid'), { reason: 'ConfigMapNotFound' }, name)
  }
})
