/** The CLI renders the same answer the hook serves, as YAML, without a cluster. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { parseArgs, requestFor, run } from '../src/cli.js'
import { sync } from '../src/hook.js'
import { canonical } from '../src/basics/json.js'
import { exampleRequest, NOW, root, settings } from './fixtures/helpers.js'

function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, now: NOW })
  return { code, stdout, stderr }
}
const file = (rel: string) => new URL(rel, root).pathname

t.test('render prints the sync answer as YAML, equal to the hook\'s', async (t) => {
  const out = cli(['render', '-f', file('examples/configmap.yaml')])
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  const expected = canonical(sync(exampleRequest('examples/configmap.yaml'), settings(), NOW).response)
  t.same(parse(out.stdout), expected)
  t.match(out.stdout, /reason: RegistryDataValid/, 'ConfigMaps in the file are related objects')
})

t.test('render honours the settings from the environment', async (t) => {
  const out = cli(['render', '--file', file('examples/minimal.yaml')], { TOOLHIVE_REGISTRY_API_IMAGE: 'mirror/thv:1' })
  t.match(out.stdout, /image: mirror\/thv:1/)
  const bad = cli(['render', '-f', file('examples/minimal.yaml')], { PORT: 'x' })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^mcpregistry-hook: PORT="x" is not valid/)
})

t.test('--observed and --finalizing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'))
  const observed = join(dir, 'observed.yaml')
  writeFileSync(observed, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: minimal-api}\nstatus: {readyReplicas: 2}\n---\n- apiVersion: v1\n  kind: Service\n  metadata: {name: minimal-api}\n- {kind: Broken}\n')
  const ready = parse(cli(['render', '-f', file('examples/minimal.yaml'), '--observed', observed]).stdout)
  t.match(ready.status, { phase: 'Ready', readyReplicas: 2, url: 'http://minimal-api.toolhive-system.svc.cluster.local:8080' })
  const list = join(dir, 'list.yaml')
  writeFileSync(list, 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: minimal-api}\n    status: {readyReplicas: 1}\n')
  t.match(parse(cli(['render', '-f', file('examples/minimal.yaml'), '--observed', list]).stdout).status, { phase: 'Ready', readyReplicas: 1 }, 'kubectl get -o yaml output works as --observed')
  const fin = parse(cli(['render', '-f', file('examples/minimal.yaml'), '--finalizing']).stdout)
  t.match(fin, { finalized: true, children: [], status: { phase: 'Terminating' } })
  const pending = parse(cli(['render', '-f', file('examples/minimal.yaml'), '--observed', observed, '--finalizing']).stdout)
  t.match(pending, { finalized: false, children: [], status: { phase: 'Terminating' } }, 'children observed: not finalized yet')
})

t.test('a namespace-less registry renders in default; an invalid one shows Failed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'))
  const f = join(dir, 'r.json')
  writeFileSync(f, JSON.stringify({ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: 'r' }, spec: { configYAML: 'x: [' } }))
  const out = parse(cli(['render', '-f', f]).stdout)
  t.equal(out.status.phase, 'Failed')
  t.same(out.children, [])
})

t.test('usage errors exit 64 with the usage text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'))
  const noRegistry = join(dir, 'cm.yaml')
  writeFileSync(noRegistry, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')
  const noName = join(dir, 'noname.yaml')
  writeFileSync(noName, 'kind: MCPRegistry\n')
  const invalid = join(dir, 'bad.yaml')
  writeFileSync(invalid, 'kind: [\n')
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['apply'], /unknown command "apply"/],
    [['render'], /-f FILE is required/],
    [['render', '-f'], /-f needs a file name/],
    [['render', '-f', 'x', '--dry'], /unknown argument "--dry"/],
    [['render', '-f', join(dir, 'missing.yaml')], /cannot read .*missing\.yaml: ENOENT: no such file or directory/],
    [['render', '-f', noRegistry], /holds no MCPRegistry/],
    [['render', '-f', noName], /the MCPRegistry has no metadata\.name/],
    [['render', '-f', invalid], /bad\.yaml is not valid YAML/],
    [['render', '-f', file('examples/minimal.yaml'), '--observed', invalid], /bad\.yaml is not valid YAML/],
  ]
  for (const [argv, message] of cases) {
    const out = cli(argv)
    t.equal(out.code, 64, argv.join(' '))
    t.match(out.stderr, message)
    t.match(out.stderr, /Usage: mcpregistry-hook render -f FILE/)
  }
})

t.test('parseArgs', async (t) => {
  t.same(parseArgs(['render', '-f', 'a', '--observed', 'b', '--finalizing']), { file: 'a', observed: 'b', finalizing: true })
})

t.test('the CLI passes as related objects only the ConfigMaps the spec mounts', async (t) => {
  const text = [
    'apiVersion: toolhive.stacklok.dev/v1beta1',
    'kind: MCPRegistry',
    'metadata: {name: r, namespace: team}',
    'spec:',
    '  configYAML: "x"',
    '  volumes: [{name: d, configMap: {name: mounted}}]',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: mounted}',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: unrelated}',
  ].join('\n')
  const req = requestFor({ registry: text, registryName: 'r.yaml' }, false)
  t.same(req.related, { 'ConfigMap.v1': { mounted: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mounted' } } } })
  t.same(req.parent.metadata, { generation: 1, name: 'r', namespace: 'team' })
})
