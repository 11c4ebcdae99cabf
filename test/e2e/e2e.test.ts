/**
 * End-to-end: the CRD, the hook (the built dist/server.js) and the Metacontroller stand-in against a real
 * kube-apiserver, etcd, kube-controller-manager, kube-scheduler and kwok. Every assertion reads what the
 * API server stored. Run with `npm run test:e2e` (builds the binaries once; see test/e2e/README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { freePorts, startControlPlane, type ControlPlane } from './lib/controlplane.js'
import { Api, MetacontrollerStandIn } from './lib/metacontroller.js'
import { QUANTITY_ROWS } from '../fixtures/quantities.js'

type Obj = Record<string, any>
const repo = new URL('../../', import.meta.url)
const path = (rel: string) => new URL(rel, repo).pathname
const binDir = process.env['E2E_BIN_DIR'] ?? path('test/e2e/.bin')
const workDir = process.env['E2E_WORK_DIR'] ?? path('test/e2e/.work/e2e')
const INTERVAL_MS = 500
const NS = 'toolhive-system'
const CHILD_KINDS = 'configmaps,serviceaccounts,roles,rolebindings,deployments,services,networkpolicies'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `fn` until it returns a value that is not undefined; fails after `timeoutMs` with `what`. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    await sleep(200)
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

let cp: ControlPlane
let hook: ChildProcess
let standIn: MetacontrollerStandIn
let api: Api

const kubectl = (args: string[], input?: string) => cp.kubectlOk(args, input === undefined ? {} : { input })
const getJson = async (args: string[]): Promise<Obj> => JSON.parse(await kubectl([...args, '-o', 'json'])) as Obj
const registry = (name: string, ns = NS) => getJson(['-n', ns, 'get', 'mcpregistry', name])
/** kind/name → uid and resourceVersion of every child of a registry. */
async function versions(name: string, ns = NS): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const c of await getChildren(name, ns)) out[`${c['kind']}/${c['metadata']['name']}`] = `${c['metadata']['uid']}@${c['metadata']['resourceVersion']}`
  return out
}
async function getChildren(name: string, ns = NS): Promise<Obj[]> {
  const labelled = (await getJson(['-n', ns, 'get', CHILD_KINDS, '-l', `toolhive.stacklok.io/registry-name=${name}`]))['items'] as Obj[]
  const cm = await cp.kubectl(['-n', ns, 'get', 'configmap', `${name}-registry-server-config`, '-o', 'json'])
  return cm.code === 0 ? [...labelled, JSON.parse(cm.stdout) as Obj] : labelled
}
const condition = (obj: Obj, type: string): Obj | undefined => (obj['status']?.['conditions'] ?? []).find((c: Obj) => c['type'] === type)

/** Registries of an example file and its other documents. */
function exampleDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(path(`examples/${file}`), 'utf8')).map((d) => (d as { toJS(): Obj }).toJS()).filter(Boolean)
}

t.before(async () => {
  rmSync(workDir, { recursive: true, force: true })
  const started = Date.now()
  cp = await startControlPlane({ binDir, workDir, log: (s) => t.comment(s) })
  t.comment(`control plane up in ${Date.now() - started} ms`)

  await kubectl(['apply', '--server-side', '-f', path('manifests/crd.yaml')])
  await kubectl(['wait', '--for=condition=Established', 'crd/mcpregistries.toolhive.stacklok.dev', '--timeout=60s'])
  // Metacontroller's identity, bound to exactly the RBAC this repository ships
  await kubectl(['create', 'namespace', 'metacontroller'])
  await kubectl(['-n', 'metacontroller', 'create', 'serviceaccount', 'metacontroller'])
  await kubectl(['apply', '-f', path('metacontroller/rbac.yaml')])
  await kubectl(['create', 'namespace', NS])
  const token = await cp.tokenFor('metacontroller', 'metacontroller', { duration: '2h' })

  const [port] = await freePorts(1)
  hook = spawn(process.execPath, [path('dist/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  await until('the hook to answer /healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 20_000)

  api = new Api(cp.server, token, readFileSync(cp.caFile, 'utf8'))
  standIn = new MetacontrollerStandIn({
    api,
    controllerFile: path('metacontroller/compositecontroller.yaml'),
    hookBaseUrl: base,
    intervalMs: INTERVAL_MS,
    log: (s) => t.comment(s),
  })
  await standIn.start()
})

t.teardown(async () => {
  await standIn?.stop()
  api?.close()
  if (hook !== undefined && hook.exitCode === null) {
    hook.kill('SIGTERM')
    await once(hook, 'exit')
  }
  await cp?.stop()
  if (standIn?.errors.length) t.comment(`stand-in errors (last 5): ${JSON.stringify(standIn.errors.slice(-5))}`)
})

t.test('1. the CRD is accepted and Established; kubectl get mcpreg shows the printer columns', async (t) => {
  const crd = await getJson(['get', 'crd', 'mcpregistries.toolhive.stacklok.dev'])
  t.match(condition(crd, 'Established'), { status: 'True' })
  t.same(crd['spec']['versions'].map((v: Obj) => v['name']), ['v1beta1', 'v1alpha1'])
  // the columns need an object to show
  await kubectl(['apply', '-f', '-'], 'apiVersion: toolhive.stacklok.dev/v1alpha1\nkind: MCPRegistry\nmetadata: {name: columns, namespace: toolhive-system}\nspec: {configYAML: "x: 1"}\n')
  const table = await kubectl(['-n', NS, 'get', 'mcpreg', 'columns'])
  t.match(table.split('\n')[0], /^NAME\s+STATUS\s+READY\s+REPLICAS\s+URL\s+AGE$/)
  const failed = await until('the v1alpha1 registry to be Failed', async () => {
    const r = await registry('columns')
    return r['status']?.['phase'] === 'Failed' ? r : undefined
  })
  t.match(failed['status']['message'], /Spec validation failed: spec\.configYAML line 1, sources: needs at least one source/)
  t.match(await kubectl(['-n', NS, 'get', 'mcpreg', 'columns']), /^columns\s+Failed\s+False\s+0\s/m)
  await kubectl(['-n', NS, 'delete', 'mcpreg', 'columns', '--wait=true', '--timeout=60s'])
})

const examples = readdirSync(path('examples')).filter((f) => f.endsWith('.yaml')).sort()

t.test('2. every example gets its children with controller ownerReferences and becomes Ready', async (t) => {
  for (const file of examples) {
    await kubectl(['apply', '-f', path(`examples/${file}`)])
  }
  for (const file of examples) {
    const reg = exampleDocs(file).find((d) => d['kind'] === 'MCPRegistry') as Obj
    const name = reg['metadata']['name'] as string
    await t.test(file, async (t) => {
      const waited = await cp.kubectl(['-n', NS, 'wait', '--for=condition=Ready', `mcpregistry/${name}`, '--timeout=120s'])
      t.equal(waited.code, 0, `kubectl wait --for=condition=Ready mcpregistry/${name}: ${waited.stdout}${waited.stderr}`)
      const stored = await registry(name)
      t.equal(stored['status']['phase'], 'Ready')
      t.equal(stored['status']['url'], `http://${name}-api.${NS}.svc.cluster.local:8080`)
      t.equal(stored['status']['readyReplicas'], 1)
      t.equal(stored['status']['observedGeneration'], stored['metadata']['generation'])
      const kids = await getChildren(name)
      const expected = reg['spec']['networkPolicy']?.['enabled'] === true ? 7 : 6
      t.equal(kids.length, expected, kids.map((k) => `${k['kind']}/${k['metadata']['name']}`).join(', '))
      for (const k of kids) {
        t.match(k['metadata']['ownerReferences'], [{ kind: 'MCPRegistry', name, uid: stored['metadata']['uid'], controller: true, blockOwnerDeletion: true }], `${k['kind']} is owned`)
      }
      const dep = kids.find((k) => k['kind'] === 'Deployment') as Obj
      t.equal(dep['spec']['replicas'], 1, 'the API server defaulted replicas: the hook never sets it')
      const wantedSecrets = (reg['spec']['imagePullSecrets'] ?? []).map((s: Obj) => ({ name: s['name'] }))
      if (wantedSecrets.length > 0) {
        const sa = kids.find((k) => k['kind'] === 'ServiceAccount') as Obj
        t.same(sa['imagePullSecrets'], wantedSecrets, 'spec.imagePullSecrets reach the ServiceAccount')
        t.same(dep['spec']['template']['spec']['imagePullSecrets'], wantedSecrets, 'and the pod')
      }
    })
  }
})

t.test('3. editing configYAML rolls the Deployment and the ConfigMap holds the new text', async (t) => {
  const before = await getJson(['-n', NS, 'get', 'replicasets', '-l', 'app.kubernetes.io/name=minimal-api'])
  t.equal(before['items'].length, 1)
  const reg = await registry('minimal')
  const edited = (reg['spec']['configYAML'] as string).replace('host: postgres', 'host: postgres.db.svc')
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'minimal', '--type=merge', '-p', JSON.stringify({ spec: { configYAML: edited } })])
  const cm = await until('the ConfigMap to hold the new text', async () => {
    const c = await getJson(['-n', NS, 'get', 'configmap', 'minimal-registry-server-config'])
    return c['data']['config.yaml'] === edited ? c : undefined
  })
  t.match(cm['data']['config.yaml'], /host: postgres\.db\.svc/)
  const after = await until('a new ReplicaSet', async () => {
    const rs = await getJson(['-n', NS, 'get', 'replicasets', '-l', 'app.kubernetes.io/name=minimal-api'])
    return rs['items'].length === 2 ? rs : undefined
  })
  t.equal(after['items'].length, 2, 'the pod template changed (config-hash), so the Deployment rolled')
  await until('Ready after the roll', async () => ((await registry('minimal'))['status']?.['phase'] === 'Ready' ? true : undefined))
})

t.test('4. an invalid edit leaves every child untouched and shows Failed; fixing it returns to Ready', async (t) => {
  const good = await registry('team')
  const before = await versions('team')
  t.equal(Object.keys(before).length, 6)
  const bad = (good['spec']['configYAML'] as string).replace('sources: ["team"]', 'sources: ["teem"]')
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'team', '--type=merge', '-p', JSON.stringify({ spec: { configYAML: bad } })])
  const failed = await until('Failed', async () => {
    const r = await registry('team')
    return r['status']?.['phase'] === 'Failed' && r['status']['observedGeneration'] === r['metadata']['generation'] ? r : undefined
  })
  t.match(failed['status']['message'], /"teem" is not a source defined under sources/)
  t.match(condition(failed, 'ConfigValid'), { status: 'False', reason: 'InvalidConfigYAML' })
  t.match(condition(failed, 'Ready'), { status: 'False', reason: 'ValidationFailed' })
  t.equal(failed['status']['readyReplicas'], 1, 'the running registry still serves')
  await sleep(INTERVAL_MS * 6)
  t.same(await versions('team'), before, 'same uid and resourceVersion for every child after several syncs')
  const cm = await getJson(['-n', NS, 'get', 'configmap', 'team-registry-server-config'])
  t.equal(cm['data']['config.yaml'], good['spec']['configYAML'], 'the running config is not replaced by the bad one')
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'team', '--type=merge', '-p', JSON.stringify({ spec: { configYAML: good['spec']['configYAML'] } })])
  const ready = await until('Ready again', async () => {
    const r = await registry('team')
    return r['status']?.['phase'] === 'Ready' && r['status']['observedGeneration'] === r['metadata']['generation'] ? r : undefined
  })
  t.match(condition(ready, 'ConfigValid'), { status: 'True' })
})

t.test('5. kubectl scale deployment NAME-api --replicas=3 survives the following syncs', async (t) => {
  await kubectl(['-n', NS, 'scale', 'deployment', 'mirror-api', '--replicas=3'])
  const status = await until('3 ready replicas in the status', async () => {
    const r = await registry('mirror')
    return r['status']?.['readyReplicas'] === 3 ? r['status'] : undefined
  })
  t.equal(status['phase'], 'Ready')
  await sleep(INTERVAL_MS * 6)
  const dep = await getJson(['-n', NS, 'get', 'deployment', 'mirror-api'])
  t.equal(dep['spec']['replicas'], 3, 'the hook does not own replicas')
})

t.test('6. converged means quiet: no child changes over several resync periods', async (t) => {
  const names = examples.map((f) => (exampleDocs(f).find((d) => d['kind'] === 'MCPRegistry') as Obj)['metadata']['name'] as string)
  for (const n of names) await until(`${n} Ready`, async () => ((await registry(n))['status']?.['phase'] === 'Ready' ? true : undefined))
  await sleep(INTERVAL_MS * 4)
  const before: Record<string, Record<string, string>> = {}
  for (const n of names) before[n] = await versions(n)
  const writes = { ...standIn.writes }
  const syncs = standIn.calls['sync'] as number
  await sleep(INTERVAL_MS * 10)
  for (const n of names) t.same(await versions(n), before[n], `${n}: no child's resourceVersion changed`)
  t.same(standIn.writes, writes, 'no create, update, delete or status write')
  t.ok((standIn.calls['sync'] as number) - syncs >= names.length * 3, 'while the hook was called on every resync (at least three times each)')
})

t.test('7. deleting an MCPRegistry goes through Terminating and removes it and all its children', async (t) => {
  // a second finalizer held by the test keeps the object visible after the hook's finalize, so the
  // Terminating status the stand-in wrote can be read from the API server
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'private-git', '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"e2e.test/hold"}]'])
  await kubectl(['-n', NS, 'delete', 'mcpregistry', 'private-git', '--wait=false'])
  const terminating = await until('Terminating', async () => {
    const r = await registry('private-git')
    return r['status']?.['phase'] === 'Terminating' ? r : undefined
  })
  t.match(condition(terminating, 'Ready'), { status: 'False', reason: 'Terminating' })
  await until('the hook finalizer removed', async () => (((await registry('private-git'))['metadata']['finalizers'] ?? []).some((f: string) => f.startsWith('metacontroller.io/')) ? undefined : true))
  await until('children deleted', async () => ((await getChildren('private-git')).length === 0 ? true : undefined))
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'private-git', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'])
  await until('the registry gone', async () => ((await cp.kubectl(['-n', NS, 'get', 'mcpregistry', 'private-git'])).code !== 0 ? true : undefined))

  // and without help: a plain delete removes the registry and, through the garbage collector, its children
  await kubectl(['-n', NS, 'delete', 'mcpregistry', 'mirror', '--timeout=60s'])
  await until('mirror children gone', async () => ((await getChildren('mirror')).length === 0 ? true : undefined))
})

t.test('8. fifty registries created at once all reach Ready', async (t) => {
  await kubectl(['create', 'namespace', 'load'])
  const config = (exampleDocs('minimal.yaml')[0] as Obj)['spec']['configYAML'] as string
  const docs = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: `load-${i}`, namespace: 'load' }, spec: { configYAML: config } }),
  )
  const started = Date.now()
  await kubectl(['apply', '-f', '-'], docs.join('\n---\n'))
  const ready = await until(
    'fifty Ready registries',
    async () => {
      const list = await getJson(['-n', 'load', 'get', 'mcpregistries'])
      const n = (list['items'] as Obj[]).filter((r) => r['status']?.['phase'] === 'Ready').length
      return n === 50 ? n : undefined
    },
    600_000,
  )
  const seconds = (Date.now() - started) / 1000
  t.equal(ready, 50)
  t.comment(`fifty registries Ready ${seconds.toFixed(1)} s after kubectl apply`)
  console.log(`# e2e: fifty registries Ready in ${seconds.toFixed(1)} s`)
  t.equal(standIn.errors.filter((e) => e.parent.startsWith('load/')).length, 0, 'no sync errors')
})

t.test('9. the kustomize base installs, and hook and registry pods pass the restricted Pod Security Standard', async (t) => {
  await kubectl(['apply', '-k', path('manifests')])
  const hookDeployment = await until('the hook Deployment available', async () => {
    const d = await getJson(['-n', 'mcpregistry-hook', 'get', 'deployment', 'mcpregistry-hook'])
    return d['status']?.['availableReplicas'] === 2 ? d : undefined
  })
  t.equal(hookDeployment['spec']['replicas'], 2)
  const ns = await getJson(['get', 'namespace', 'mcpregistry-hook'])
  t.equal(ns['metadata']['labels']['pod-security.kubernetes.io/enforce'], 'restricted', 'pods were admitted under the restricted profile')
  t.match(await getJson(['-n', 'mcpregistry-hook', 'get', 'pdb', 'mcpregistry-hook']), { spec: { minAvailable: 1 } })

  // registry pods, pgpass init container included, in a namespace that enforces the restricted profile
  await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: restricted\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n')
  const reg = exampleDocs('pgpass.yaml').find((d) => d['kind'] === 'MCPRegistry') as Obj
  reg['metadata']['namespace'] = 'restricted'
  await kubectl(['apply', '-f', '-'], JSON.stringify(reg))
  const waited = await cp.kubectl(['-n', 'restricted', 'wait', '--for=condition=Ready', 'mcpregistry/with-pgpass', '--timeout=120s'])
  t.equal(waited.code, 0, `${waited.stdout}${waited.stderr}`)
  const pods = await getJson(['-n', 'restricted', 'get', 'pods', '-l', 'app.kubernetes.io/name=with-pgpass-api'])
  t.equal(pods['items'].length, 1, 'the pod was admitted')
  const rejected = await cp.kubectl(['-n', 'restricted', 'run', 'plain', '--image=registry.invalid/x:1', '--restart=Never'])
  t.not(rejected.code, 0, 'the namespace does enforce: a pod without hardening is rejected')
  t.match(rejected.stderr, /violates PodSecurity "restricted/)
})

// 10. the takeover from the ToolHive operator runs the real operator: see operator.test.ts

t.test('11. registry data: a valid ConfigMap is counted, a missing one explains itself until it is created', async (t) => {
  const team = await registry('team')
  t.match(condition(team, 'RegistryDataValid'), { status: 'True', reason: 'RegistryDataValid', message: 'Registry data is valid: source team has 2 servers' })
  const secure = await registry('secure')
  t.match(condition(secure, 'RegistryDataValid'), { status: 'False', reason: 'ConfigMapNotFound', message: /ConfigMap prod-registry/ })
  const data = exampleDocs('configmap.yaml').find((d) => d['kind'] === 'ConfigMap') as Obj
  await kubectl(['apply', '-f', '-'], JSON.stringify({ ...data, metadata: { name: 'prod-registry', namespace: NS } }))
  const keycloak = await until('the next problem: the CA ConfigMap', async () => {
    const r = await registry('secure')
    return condition(r, 'RegistryDataValid')?.['message']?.includes('keycloak-ca') ? r : undefined
  })
  t.match(condition(keycloak, 'RegistryDataValid'), { status: 'False', reason: 'ConfigMapNotFound' })
  await kubectl(['-n', NS, 'create', 'configmap', 'keycloak-ca', '--from-literal=ca.crt=not-checked'])
  const valid = await until('RegistryDataValid', async () => {
    const r = await registry('secure')
    return condition(r, 'RegistryDataValid')?.['status'] === 'True' ? r : undefined
  })
  t.match(condition(valid, 'RegistryDataValid'), { message: 'Registry data is valid: source production has 2 servers' })
  t.equal(valid['status']['phase'], 'Ready')
})

t.test('12. quantities written in another form converge: the hook writes what the API server stores', async (t) => {
  const forms = { cpu: 0.25, memory: '1e9' }
  const limits = { cpu: '1.5', memory: '1.5Gi' }
  const reg = exampleDocs('minimal.yaml').find((d) => d['kind'] === 'MCPRegistry') as Obj
  reg['metadata'] = { name: 'odd-quantities', namespace: NS }
  reg['spec']['podTemplateSpec'] = { spec: { containers: [{ name: 'registry-api', resources: { requests: forms, limits } }] } }
  await kubectl(['apply', '-f', '-'], JSON.stringify(reg))
  await until('Ready', async () => ((await registry('odd-quantities'))['status']?.['phase'] === 'Ready' ? true : undefined))
  const stored = (await getJson(['-n', NS, 'get', 'deployment', 'odd-quantities-api']))['spec']['template']['spec']['containers'][0]['resources']
  t.same(stored, { requests: { cpu: '250m', memory: '1e9' }, limits: { cpu: '1500m', memory: '1536Mi' } }, 'as the API server stores them')
  await sleep(INTERVAL_MS * 2)
  const before = await versions('odd-quantities')
  const updates = standIn.writes['update']
  await sleep(INTERVAL_MS * 6)
  t.same(await versions('odd-quantities'), before, 'no child changes')
  t.equal(standIn.writes['update'], updates, 'no update: the desired object equals the stored one')

  // and every row of the hook's quantity table, read back from this API server
  const containers = QUANTITY_ROWS.map(([q], i) => ({ name: `c${i}`, image: 'x', resources: { limits: { cpu: q } } }))
  const volumes = QUANTITY_ROWS.map(([q], i) => ({ name: `v${i}`, emptyDir: { sizeLimit: q } }))
  const created = JSON.parse(
    await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'quantities', namespace: 'default' }, spec: { containers, volumes } })),
  ) as Obj
  QUANTITY_ROWS.forEach(([input, inList, single], i) => {
    t.equal(created['spec']['containers'][i]['resources']['limits']['cpu'], inList, `${JSON.stringify(input)} in a ResourceList`)
    t.equal((created['spec']['volumes'] as Obj[]).find((v) => v['name'] === `v${i}`)?.['emptyDir']['sizeLimit'], single, `${JSON.stringify(input)} alone`)
  })
})
