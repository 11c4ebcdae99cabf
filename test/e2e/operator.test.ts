/**
 * End-to-end with the real ToolHive operator (thv-operator, built from the Go module proxy by build-tools.sh)
 * beside the hook and the Metacontroller stand-in, on one control plane:
 *
 * 1. takeover: the operator creates registries' children and reports Ready; it is stopped (by its pid);
 *    our CRD is applied over its own; scripts/migrate-from-operator.sh runs; the stand-in and the hook take
 *    over every child in place;
 * 2. fidelity: every example (examples/*.yaml and examples/invalid/*.yaml) is reconciled by the operator in
 *    one namespace and by the hook in another; children, status and `kubectl get mcpreg` are compared field
 *    by field, and every difference must be a row of README.md's "Differences from the operator" table
 *    (and every row must be seen), so the documentation and the behaviour cannot drift.
 *
 * Run with `npm run test:e2e` (see test/e2e/README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { freePorts, startControlPlane, type ControlPlane } from './lib/controlplane.js'
import { MetacontrollerStandIn } from './lib/metacontroller.js'
import { applyOperatorCrds, HookNamespacesApi, OPERATOR_FINALIZER, operatorModule, startOperator, type RunningOperator } from './lib/operator.js'
import { allowedBy, diff, normalise, normaliseRegistry, readAllowlist, type AllowedDifference, type Difference } from './lib/differences.js'
import { CHILD_KINDS, sleep, until as waitUntil } from './lib/wait.js'

type Obj = Record<string, any>
const repo = new URL('../../', import.meta.url)
const path = (rel: string) => new URL(rel, repo).pathname
const binDir = process.env['E2E_BIN_DIR'] ?? path('test/e2e/.bin')
const workDir = process.env['E2E_WORK_DIR_OPERATOR'] ?? path('test/e2e/.work/operator')
const HOLD = 'e2e.mcpregistry-hook.invalid/hold'
/** Namespaces the stand-in (and so the hook) reconciles; the operator gets others. */
const HOOK_NAMESPACES = new Set(['takeover', 'fid-hook'])

/** The operator's and the hook's fleets take longer: three minutes by default. */
const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> => waitUntil(what, fn, timeoutMs)

let cp: ControlPlane
let hook: ChildProcess
let standIn: MetacontrollerStandIn
let api: HookNamespacesApi
const operators: RunningOperator[] = []

const kubectl = (args: string[], input?: string) => cp.kubectlOk(args, input === undefined ? {} : { input })
const getJson = async (args: string[]): Promise<Obj> => JSON.parse(await kubectl([...args, '-o', 'json'])) as Obj
const registry = (name: string, ns: string) => getJson(['-n', ns, 'get', 'mcpregistry', name])
const condition = (obj: Obj, type: string): Obj | undefined => (obj['status']?.['conditions'] ?? []).find((c: Obj) => c['type'] === type)

/** Children of a registry: every object of the child kinds with an ownerReference to it. */
async function children(reg: Obj): Promise<Obj[]> {
  const ns = reg['metadata']['namespace'] as string
  const items = (await getJson(['-n', ns, 'get', CHILD_KINDS]))['items'] as Obj[]
  return items.filter((c) => (c['metadata']['ownerReferences'] ?? []).some((o: Obj) => o['uid'] === reg['metadata']['uid']))
}
const key = (o: Obj) => `${o['kind']}/${o['metadata']['name']}`

/** Documents of an example file, moved to namespace `ns`. */
function exampleDocs(file: string, ns: string): Obj[] {
  return parseAllDocuments(readFileSync(path(`examples/${file}`), 'utf8'))
    .map((d) => (d as { toJS(): Obj }).toJS())
    .filter(Boolean)
    .map((d) => ({ ...d, metadata: { ...d['metadata'], namespace: ns } }))
}
const exampleFiles = [
  ...readdirSync(path('examples')).filter((f) => f.endsWith('.yaml')).sort(),
  ...readdirSync(path('examples/invalid')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `invalid/${f}`),
  ...readdirSync(path('examples/pending')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `pending/${f}`),
]

/** `kubectl get mcpreg` as printed, one record per row keyed by column header (AGE left out). */
async function printed(ns: string): Promise<Record<string, Record<string, string>>> {
  const lines = (await kubectl(['-n', ns, 'get', 'mcpreg'])).split('\n').filter((l) => l.trim() !== '')
  const header = lines[0] as string
  const cols = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index as number }))
  const out: Record<string, Record<string, string>> = {}
  for (const line of lines.slice(1)) {
    const row: Record<string, string> = {}
    cols.forEach((c, i) => (row[c.name] = line.slice(c.at, cols[i + 1]?.at ?? line.length).trim()))
    const name = row['NAME'] as string
    delete row['NAME']
    delete row['AGE']
    out[name] = row
  }
  return out
}

t.before(async () => {
  rmSync(workDir, { recursive: true, force: true })
  cp = await startControlPlane({ binDir, workDir, log: (s) => t.comment(s) })
  const op = operatorModule()
  t.comment(`operator module ${op.version} (${op.dir})`)
  await applyOperatorCrds(cp)
  await kubectl(['create', 'namespace', 'metacontroller'])
  await kubectl(['-n', 'metacontroller', 'create', 'serviceaccount', 'metacontroller'])
  await kubectl(['apply', '-f', path('metacontroller/rbac.yaml')])
  // a stand-in that reads its CompositeController from the API server needs Metacontroller's CRDs
  // (test/e2e/fixtures/metacontroller-crds-v1.yaml, where the suite has them) and the controller applied
  const mcCrds = path('test/e2e/fixtures/metacontroller-crds-v1.yaml')
  if (existsSync(mcCrds)) {
    await kubectl(['apply', '--server-side', '-f', mcCrds])
    await kubectl(['wait', '--for=condition=Established', 'crd/compositecontrollers.metacontroller.k8s.io', '--timeout=60s'])
    await kubectl(['apply', '-f', path('metacontroller/compositecontroller.yaml')])
  }
  const token = await cp.tokenFor('metacontroller', 'metacontroller', { duration: '2h' })

  const [port] = await freePorts(1)
  hook = spawn(process.execPath, [path('dist/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  await until('the hook to answer /healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 20_000)
  api = new HookNamespacesApi(cp.server, token, readFileSync(cp.caFile, 'utf8'), (ns) => HOOK_NAMESPACES.has(ns))
  standIn = new MetacontrollerStandIn({
    api,
    controllerFile: path('metacontroller/compositecontroller.yaml'),
    hookBaseUrl: base,
    intervalMs: 500,
    log: (s) => t.comment(s),
  })
})

t.teardown(async () => {
  await standIn?.stop()
  api?.close()
  for (const op of operators) await op.stop()
  if (hook !== undefined && hook.exitCode === null) {
    hook.kill('SIGTERM')
    await once(hook, 'exit')
  }
  await cp?.stop()
  if (standIn?.errors.length) t.comment(`stand-in errors (last 5): ${JSON.stringify(standIn.errors.slice(-5))}`)
})

t.test('takeover: registries made by the real operator are taken over in place by Metacontroller and the hook', async (t) => {
  const ns = 'takeover'
  await kubectl(['create', 'namespace', ns])
  const operator = startOperator(cp, { namespaces: [ns], logName: 'thv-operator-takeover' })
  operators.push(operator)
  const names = ['minimal', 'team']
  for (const f of ['minimal.yaml', 'configmap.yaml']) await kubectl(['apply', '-f', '-'], exampleDocs(f, ns).map((d) => JSON.stringify(d)).join('\n---\n'))

  // the operator's own state, Ready on the kwok node
  const before: Record<string, Record<string, string>> = {}
  for (const name of names) {
    const reg = await until(`the operator to report ${name} Ready`, async () => {
      const r = await registry(name, ns)
      return r['status']?.['phase'] === 'Ready' ? r : undefined
    })
    t.ok(reg['metadata']['finalizers'].includes(OPERATOR_FINALIZER), `${name}: the operator's finalizer`)
    t.equal(reg['status']['url'], `http://${name}-api.${ns}:8080`, `${name}: the operator's url`)
    const kids = await children(reg)
    t.same(kids.map(key).sort(), [`ConfigMap/${name}-registry-server-config`, `Deployment/${name}-api`, `Role/${name}-registry-api`, `RoleBinding/${name}-registry-api`, `Service/${name}-api`, `ServiceAccount/${name}-registry-api`], `${name}: the operator made six children`)
    t.notOk(kids.some((c) => c['metadata']['labels']?.['controller-uid'] !== undefined), 'none carries the controller-uid label yet')
    before[name] = Object.fromEntries(kids.map((c) => [key(c), c['metadata']['uid'] as string]))
  }

  // the operator is stopped, by its pid
  await operator.stop()
  t.ok(operator.exited, `the operator (pid ${operator.pid}) has exited`)

  // from here on, sample every registry's phase, to show it stays Ready through the takeover
  const phases: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]))
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const list = (await getJson(['-n', ns, 'get', 'mcpregistries']))['items'] as Obj[]
      for (const r of list) phases[r['metadata']['name']]?.push(r['status']?.['phase'] ?? '(none)')
      await sleep(200)
    }
  })()

  // the documented path: our CRD over the operator's, the script, then Metacontroller
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', path('manifests/crd.yaml')])
  await kubectl(['wait', '--for=condition=Established', 'crd/mcpregistries.toolhive.stacklok.dev', '--timeout=60s'])
  const env = { ...process.env, KUBECONFIG: cp.kubeconfig, PATH: `${binDir}:${process.env['PATH']}` }
  const script = spawn('bash', [path('scripts/migrate-from-operator.sh'), ns], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  script.stdout.on('data', (d) => (output += d))
  script.stderr.on('data', (d) => (output += d))
  const [code] = (await once(script, 'exit')) as [number]
  t.comment(output.trim())
  t.equal(code, 0, 'scripts/migrate-from-operator.sh succeeded')
  const writesBefore = { ...standIn.writes }
  const errorsBefore = standIn.errors.length
  await standIn.start()

  for (const name of names) {
    const reg = await until(`${name} taken over: the hook's status and pod template, rolled out`, async () => {
      const r = await registry(name, ns)
      const d = await getJson(['-n', ns, 'get', 'deployment', `${name}-api`])
      const hardened = d['spec']['template']['spec']['securityContext']?.['runAsNonRoot'] === true
      const rolled = d['status']['observedGeneration'] === d['metadata']['generation'] && d['status']['updatedReplicas'] === 1 && d['status']['replicas'] === 1 && d['status']['readyReplicas'] === 1
      // the status read after the rollout (during it, old and new pod are both ready: readyReplicas 2)
      const counted = r['status']['readyReplicas'] === 1
      return condition(r, 'ConfigValid') !== undefined && r['status']['phase'] === 'Ready' && hardened && rolled && counted ? r : undefined
    })
    t.notOk((reg['metadata']['finalizers'] ?? []).includes(OPERATOR_FINALIZER), `${name}: the operator's finalizer is gone`)
    const status = structuredClone(reg['status']) as Obj
    for (const c of status['conditions']) delete c['lastTransitionTime']
    const generation = reg['metadata']['generation'] as number
    const configValid =
      name === 'team'
        ? [
            { type: 'ConfigValid', status: 'True', reason: 'ConfigValid', message: 'configYAML is valid: 1 source, 1 registry', observedGeneration: generation },
            { type: 'RegistryDataValid', status: 'True', reason: 'RegistryDataValid', message: 'Registry data is valid: source team has 2 servers', observedGeneration: generation },
          ]
        : [{ type: 'ConfigValid', status: 'True', reason: 'ConfigValid', message: 'configYAML is valid: 1 source, 1 registry', observedGeneration: generation }]
    t.same(
      status,
      {
        phase: 'Ready',
        message: 'Registry API is ready and serving requests',
        url: `http://${name}-api.${ns}.svc.cluster.local:8080`,
        readyReplicas: 1,
        observedGeneration: generation,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Ready', message: 'Registry API is ready and serving requests', observedGeneration: generation },
          { type: 'PodSecurity', status: 'True', reason: 'Restricted', message: 'The pod meets the Pod Security Standard "restricted"', observedGeneration: generation },
          ...configValid,
        ],
      },
      `${name}: the status is the hook's`,
    )
    const after = Object.fromEntries((await children(reg)).map((c) => [key(c), c['metadata']['uid'] as string]))
    t.same(after, before[name], `${name}: the same six children, each with its uid`)
    for (const c of await children(reg)) t.equal(c['metadata']['labels']?.['controller-uid'], reg['metadata']['uid'], `${key(c)} claimed by Metacontroller`)
    const rs = ((await getJson(['-n', ns, 'get', 'replicasets', '-l', `app.kubernetes.io/name=${name}-api`]))['items'] as Obj[]).length
    t.equal(rs, 2, `${name}: one rollout (the operator's ReplicaSet and the hook's)`)
  }
  sampling = false
  await sampler
  for (const name of names) {
    const seen = phases[name] as string[]
    const leaves = seen.filter((p, i) => p !== 'Ready' && (i === 0 || seen[i - 1] === 'Ready')).length
    t.comment(`${name}: ${seen.length} samples during the takeover, phases seen: ${[...new Set(seen)].join(', ')}`)
    t.ok(leaves <= 1, `${name}: left Ready at most once (${leaves})`)
  }
  t.equal(standIn.writes['create'], writesBefore['create'], 'nothing created')
  t.equal(standIn.writes['delete'], writesBefore['delete'], 'nothing deleted')
  t.same(standIn.errors.slice(errorsBefore).filter((e) => e.parent.startsWith(`${ns}/`)), [], 'no sync errors')
})

t.test('fidelity: the operator and the hook make the same children and status for every example, modulo the README table', async (t) => {
  const [OP, HK] = ['fid-op', 'fid-hook']
  for (const ns of [OP, HK]) await kubectl(['create', 'namespace', ns])
  const operator = startOperator(cp, { namespaces: [OP], logName: 'thv-operator-fidelity' })
  operators.push(operator)
  const allow = readAllowlist(path('README.md'))
  t.ok(allow.length > 0, 'the README table has rows')
  const used = new Set<AllowedDifference>()
  const unexplained: Difference[] = []
  const record = (registryName: string, object: string, ds: { path: string; operator: unknown; hook: unknown }[]) => {
    for (const d of ds) {
      const full: Difference = { registry: registryName, object, ...d }
      const row = allowedBy(full, allow)
      if (row === undefined) unexplained.push(full)
      else used.add(row)
    }
  }

  const names: string[] = []
  /** Registries that stay Pending (examples/pending/): settled once their Deployment exists. */
  const pending = new Set<string>()
  for (const file of exampleFiles) {
    for (const ns of [OP, HK]) {
      const docs = exampleDocs(file, ns)
      await kubectl(['apply', '-f', '-'], docs.map((d) => JSON.stringify(d)).join('\n---\n'))
      const regs = docs.filter((d) => d['kind'] === 'MCPRegistry').map((d) => d['metadata']['name'] as string)
      if (ns === OP) names.push(...regs)
      if (file.startsWith('pending/')) for (const r of regs) pending.add(r)
    }
  }
  t.comment(`${names.length} registries from ${exampleFiles.length} example files: ${names.join(', ')}`)

  /** Settled: Ready with its pod ready and rolled out, or Failed (examples/pending/: Pending with a Deployment); the same on two reads 2 s apart. */
  const snapshot = async (ns: string, name: string) => {
    const reg = await registry(name, ns)
    const kids = (await children(reg)).map((c) => normalise(c, ns)).sort((a, b) => key(a).localeCompare(key(b)))
    return { reg, kids, cols: (await printed(ns))[name] }
  }
  const settled = async (ns: string, name: string) =>
    until(`${ns}/${name} settled`, async () => {
      const a = await snapshot(ns, name)
      const phase = a.reg['status']?.['phase']
      const d = a.kids.find((k) => k['kind'] === 'Deployment')
      if (pending.has(name) ? phase !== 'Pending' || d === undefined : phase !== 'Ready' && phase !== 'Failed') return undefined
      if (phase === 'Ready' && d !== undefined) {
        const live = await getJson(['-n', ns, 'get', 'deployment', `${name}-api`])
        if (live['status']?.['updatedReplicas'] !== 1 || live['status']?.['readyReplicas'] !== 1 || live['status']?.['replicas'] !== 1) return undefined
      }
      await sleep(2000)
      const b = await snapshot(ns, name)
      return JSON.stringify({ ...a, reg: a.reg['status'] }) === JSON.stringify({ ...b, reg: b.reg['status'] }) ? b : undefined
    })

  const phasesSeen: string[] = []
  for (const name of names) {
    const [op, hk] = [await settled(OP, name), await settled(HK, name)]
    phasesSeen.push(`${name}: operator ${op.reg['status']['phase']}, hook ${hk.reg['status']['phase']}`)
    const opKids = new Map(op.kids.map((k) => [key(k), k]))
    const hkKids = new Map(hk.kids.map((k) => [key(k), k]))
    for (const k of [...new Set([...opKids.keys(), ...hkKids.keys()])].sort()) {
      const [a, b] = [opKids.get(k), hkKids.get(k)]
      if (a === undefined || b === undefined) record(name, k, [{ path: '', operator: a === undefined ? '(absent)' : '(present)', hook: b === undefined ? '(absent)' : '(present)' }])
      else record(name, k, diff(a, b))
    }
    record(name, 'MCPRegistry', diff(normaliseRegistry(op.reg, OP), normaliseRegistry(hk.reg, HK)))
    if (op.reg['status']['phase'] === 'Failed' && hk.reg['status']['phase'] === 'Failed') {
      const prefix = (m: string) => m.slice(0, m.indexOf(': ') + 2)
      t.equal(prefix(hk.reg['status']['message']), prefix(op.reg['status']['message']), `${name}: Failed, and the message starts as the operator's`)
    }
    record(name, 'kubectl get mcpreg', diff(normalise({ kind: 'x', metadata: {}, spec: op.cols }, OP)['spec'], normalise({ kind: 'x', metadata: {}, spec: hk.cols }, HK)['spec']))
  }
  t.comment(phasesSeen.join('\n'))

  // deleting: a test finalizer holds each registry so its Terminating status can be read
  for (const ns of [OP, HK]) {
    for (const name of names) {
      // with the resourceVersion, so a controller's concurrent change to the list is never overwritten
      await until(`${ns}/${name} held`, async () => {
        const r = await registry(name, ns)
        const patch = { metadata: { resourceVersion: r['metadata']['resourceVersion'], finalizers: [...(r['metadata']['finalizers'] ?? []), HOLD] } }
        return (await cp.kubectl(['-n', ns, 'patch', 'mcpregistry', name, '--type=merge', '-p', JSON.stringify(patch)])).code === 0 ? true : undefined
      })
    }
    await kubectl(['-n', ns, 'delete', 'mcpregistry', '--all', '--wait=false'])
  }
  for (const name of names) {
    const deleting = async (ns: string) =>
      until(`${ns}/${name} deleting`, async () => {
        const r = await registry(name, ns)
        const others = (r['metadata']['finalizers'] as string[]).filter((f) => f !== HOLD)
        const phase = r['status']?.['phase']
        // the operator never finalizes a registry it cannot validate (it stays Failed, with its finalizer if
        // it had added one): read that state after a while
        const stuck = ns === OP && phase === 'Failed'
        if (!stuck && !(others.length === 0 && phase === 'Terminating')) return undefined
        if (stuck) await sleep(3000)
        return { reg: await registry(name, ns), cols: (await printed(ns))[name] }
      })
    const [op, hk] = [await deleting(OP), await deleting(HK)]
    const unheld = (r: Obj) => ({
      metadata: { finalizers: (r['metadata']['finalizers'] as string[]).filter((f) => f !== HOLD) },
      status: normaliseRegistry(r, r['metadata']['namespace'])['status'],
    })
    record(name, 'MCPRegistry (deleting)', diff(unheld(op.reg), unheld(hk.reg)))
    record(name, 'kubectl get mcpreg (deleting)', diff(normalise({ kind: 'x', metadata: {}, spec: op.cols }, OP)['spec'], normalise({ kind: 'x', metadata: {}, spec: hk.cols }, HK)['spec']))
  }

  t.same(
    unexplained.map((d) => `${d.registry} ${d.object} ${d.path}: operator ${JSON.stringify(d.operator)}, hook ${JSON.stringify(d.hook)}`),
    [],
    'every difference is a row of the README table',
  )
  t.same(
    allow.filter((r) => !used.has(r)).map((r) => r.line),
    [],
    'every row of the README table is a difference seen here',
  )

  // clean up: the hold, and the operator's finalizer on what it will not finalize
  await operator.stop()
  for (const ns of [OP, HK]) {
    for (const name of names) {
      await cp.kubectl(['-n', ns, 'patch', 'mcpregistry', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])
    }
  }
})
