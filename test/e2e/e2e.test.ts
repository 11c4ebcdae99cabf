/**
 * End-to-end: the CRD, the hook (the built dist/server.js) and Metacontroller against a real
 * kube-apiserver, etcd, kube-controller-manager, kube-scheduler and kwok. Metacontroller is the stand-in
 * (lib/metacontroller.ts), or the real binary when E2E_METACONTROLLER_BIN names one; both run as the
 * ServiceAccount metacontroller/metacontroller under metacontroller/rbac.yaml and read the CompositeController
 * applied from metacontroller/compositecontroller.yaml. Every assertion reads what the API server stored, its
 * audit log, or the hook's metrics, so the same scenarios hold in both modes. Run with `npm run test:e2e`
 * (builds the binaries once; see test/e2e/README.md).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { parseAllDocuments, stringify } from 'yaml'
import { freePorts, startControlPlane, type ControlPlane } from './lib/controlplane.js'
import { Api, MetacontrollerStandIn } from './lib/metacontroller.js'
import { RealMetacontroller } from './lib/real-metacontroller.js'
import { QUANTITY_ROWS } from '../fixtures/quantities.js'
import { PENDING_RESYNC_SECONDS } from '../../src/basics/constants.js'
import { CHILD_KINDS, sleep, until } from './lib/wait.js'

type Obj = Record<string, any>
const repo = new URL('../../', import.meta.url)
const path = (rel: string) => new URL(rel, repo).pathname
const binDir = process.env['E2E_BIN_DIR'] ?? path('test/e2e/.bin')
const workDir = process.env['E2E_WORK_DIR'] ?? path('test/e2e/.work/e2e')
const NS = 'toolhive-system'
const SA_USER = 'system:serviceaccount:metacontroller:metacontroller'
/** E2E_METACONTROLLER_BIN: run the real Metacontroller instead of the stand-in. */
const realBin = process.env['E2E_METACONTROLLER_BIN']
/** Client-side rate limit of either (--client-go-qps / --client-go-burst); Metacontroller's 5 / 10 by default. */
const qps = process.env['E2E_METACONTROLLER_QPS'] ? Number(process.env['E2E_METACONTROLLER_QPS']) : undefined
const burst = process.env['E2E_METACONTROLLER_BURST'] ? Number(process.env['E2E_METACONTROLLER_BURST']) : undefined


/** Metacontroller, whichever runs. */
interface Controller {
  start(): Promise<void>
  stop(): Promise<void>
  /** Sync errors so far for parents whose namespace/name starts with `prefix`. */
  syncErrors(prefix: string): string[]
  close(): Promise<void>
}

let cp: ControlPlane
let hook: ChildProcess
let hookBase: string
let controller: Controller
let standIn: MetacontrollerStandIn | undefined
let api: Api | undefined

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

/** The API server's audit events for requests Metacontroller made (the policy audits only its ServiceAccount). */
function audit(): Obj[] {
  return readFileSync(cp.auditLog as string, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Obj)
    .filter((e) => e['user']?.['username'] === SA_USER)
}
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete'])
/** Metacontroller's writes (create, update, patch, delete) in a namespace so far. */
const writesIn = (ns: string) => audit().filter((e) => WRITE_VERBS.has(e['verb']) && e['objectRef']?.['namespace'] === ns)
/** Metacontroller's GETs of one registry: it reads the live parent at the end of every sync, before the status. */
const parentReads = (name: string, ns = NS) =>
  audit().filter((e) => e['verb'] === 'get' && e['objectRef']?.['resource'] === 'mcpregistries' && e['objectRef']?.['name'] === name && e['objectRef']?.['namespace'] === ns && !e['objectRef']?.['subresource']).length

/** Changes an annotation of a registry (an update event, nothing else) and waits until Metacontroller has synced it. */
let pokes = 0
async function poke(name: string, ns = NS): Promise<void> {
  const before = parentReads(name, ns)
  await kubectl(['-n', ns, 'annotate', 'mcpregistry', name, `e2e.test/poke=${++pokes}`, '--overwrite'])
  await until(`a sync of ${ns}/${name}`, async () => (parentReads(name, ns) > before ? true : undefined), 60_000)
}

/** The hook's count of answered sync calls (its Prometheus counter): full answers and 304s (ETag mode). */
async function hookSyncCalls(): Promise<number> {
  const text = await (await fetch(`${hookBase}/metrics`)).text()
  return [...text.matchAll(/^mcpregistry_hook_requests_total\{route="\/sync",code="(?:200|304)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)
}

/** The hook's count of 304 answers on /sync and /finalize: requests it did not render because Metacontroller had the answer. */
async function hookNotModified(): Promise<number> {
  const text = await (await fetch(`${hookBase}/metrics`)).text()
  return [...text.matchAll(/^mcpregistry_hook_requests_total\{route="\/(?:sync|finalize)",code="304"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)
}

/** A measured figure: a tap comment, and a line on stdout that survives tap's reporter. */
function report(line: string): void {
  t.comment(line)
  console.log(`# e2e: ${line}`)
}

/** Registries of an example file and its other documents. */
function exampleDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(path(`examples/${file}`), 'utf8')).map((d) => (d as { toJS(): Obj }).toJS()).filter(Boolean)
}

t.before(async () => {
  rmSync(workDir, { recursive: true, force: true })
  const started = Date.now()
  cp = await startControlPlane({ binDir, workDir, log: (s) => t.comment(s), auditPolicyFile: path('test/e2e/fixtures/audit-policy.yaml') })
  t.comment(`control plane up in ${Date.now() - started} ms`)

  await kubectl(['apply', '--server-side', '-f', path('manifests/crd.yaml')])
  await kubectl(['apply', '--server-side', '-f', path('test/e2e/fixtures/metacontroller-crds-v1.yaml')])
  await kubectl(['wait', '--for=condition=Established', 'crd/mcpregistries.toolhive.stacklok.dev', 'crd/compositecontrollers.metacontroller.k8s.io', '--timeout=60s'])
  // Metacontroller's identity, bound to exactly the RBAC this repository ships, and its controller, unchanged
  await kubectl(['create', 'namespace', 'metacontroller'])
  await kubectl(['-n', 'metacontroller', 'create', 'serviceaccount', 'metacontroller'])
  await kubectl(['apply', '-f', path('metacontroller/rbac.yaml'), '-f', path('metacontroller/compositecontroller.yaml')])
  await kubectl(['create', 'namespace', NS])

  const [port] = await freePorts(1)
  hook = spawn(process.execPath, [path('dist/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  hookBase = `http://127.0.0.1:${port}`
  await until('the hook to answer /healthz', async () => ((await fetch(`${hookBase}/healthz`)).ok ? true : undefined), 20_000)

  if (realBin !== undefined) {
    if (!existsSync(realBin)) throw new Error(`E2E_METACONTROLLER_BIN=${realBin} does not exist`)
    const kubeconfig = cp.writeKubeconfig(`${workDir}/kubeconfig-metacontroller`, await cp.tokenFor('metacontroller', 'metacontroller', { duration: '4h' }))
    const real = new RealMetacontroller({ bin: realBin, kubeconfig, hookBaseUrl: hookBase, logDir: `${workDir}/logs`, qps, burst, log: (s) => t.comment(s) })
    controller = { start: () => real.start(), stop: () => real.stop(), syncErrors: (p) => real.syncErrors(p), close: () => real.close() }
    t.comment(`Metacontroller: ${realBin} (log ${real.logFile})`)
  } else {
    const token = await cp.tokenFor('metacontroller', 'metacontroller', { duration: '4h' })
    api = new Api(cp.server, token, readFileSync(cp.caFile, 'utf8'))
    const s = new MetacontrollerStandIn({
      api,
      controllerFile: path('metacontroller/compositecontroller.yaml'),
      hookBaseUrl: hookBase,
      ...(qps === undefined ? {} : { qps }),
      ...(burst === undefined ? {} : { burst }),
      log: (m) => t.comment(m),
    })
    standIn = s
    controller = {
      start: () => s.start(),
      stop: () => s.stop(),
      syncErrors: (p) => s.errors.filter((e) => e.parent.startsWith(p)).map((e) => `${e.parent}: ${e.message}`),
      close: async () => {
        await s.stop()
        api?.close()
      },
    }
  }
  await controller.start()
})

t.teardown(async () => {
  await controller?.close()
  if (hook !== undefined && hook.exitCode === null) {
    hook.kill('SIGTERM')
    await once(hook, 'exit')
  }
  await cp?.stop()
  if (standIn?.errors.length) t.comment(`stand-in errors (last 5): ${JSON.stringify(standIn.errors.slice(-5))}`)
  if (standIn !== undefined) t.comment(`stand-in ETag mode: ${JSON.stringify(standIn.etagCounts)}`)
})

t.test('0. Metacontroller starts as its ServiceAccount: it reads its CompositeController and watches its types', async (t) => {
  // the shipped RBAC allows what Metacontroller lists and watches at start-up; a missing rule stops it
  const reads = audit().filter((e) => e['objectRef']?.['apiGroup'] === 'metacontroller.k8s.io')
  for (const resource of ['compositecontrollers', 'decoratorcontrollers', 'controllerrevisions']) {
    const mine = reads.filter((e) => e['objectRef']['resource'] === resource)
    // a list, or a watch with sendInitialEvents (client-go's WatchList, which the real one uses)
    t.ok(mine.some((e) => (e['verb'] === 'list' || e['verb'] === 'watch') && e['responseStatus']?.['code'] === 200), `${resource}: listed and watched`)
  }
  t.same(
    audit().filter((e) => e['responseStatus']?.['code'] === 403).map((e) => `${e['verb']} ${e['requestURI']}`),
    [],
    'nothing it asked for was forbidden',
  )
  // and the hook is called through the CompositeController it read: a registry gets its finalizer
  await kubectl(['apply', '-f', '-'], 'apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPRegistry\nmetadata: {name: started, namespace: toolhive-system}\nspec: {configYAML: "x: 1"}\n')
  await until('the finalizer', async () => (((await registry('started'))['metadata']['finalizers'] ?? []).includes('metacontroller.io/compositecontroller-mcpregistry-hook') ? true : undefined))
  await kubectl(['-n', NS, 'delete', 'mcpreg', 'started', '--wait=true', '--timeout=60s'])
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
  await poke('team')
  await poke('team')
  t.same(await versions('team'), before, 'same uid and resourceVersion for every child after two more syncs')
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
  await poke('mirror')
  const dep = await getJson(['-n', NS, 'get', 'deployment', 'mirror-api'])
  t.equal(dep['spec']['replicas'], 3, 'the hook does not own replicas')
})

t.test('6. converged means quiet: no hook call, no write while nothing changes; a sync then writes nothing', async (t) => {
  const names = examples.map((f) => (exampleDocs(f).find((d) => d['kind'] === 'MCPRegistry') as Obj)['metadata']['name'] as string)
  for (const n of names) await until(`${n} Ready`, async () => ((await registry(n))['status']?.['phase'] === 'Ready' ? true : undefined))
  // a Pending answer asked for a resync PENDING_RESYNC_SECONDS later (resyncAfterSeconds), which comes even
  // when the registry is Ready by then; after that, and once the last events have settled, nothing is due
  const readySince = Math.max(...(await Promise.all(names.map(async (n) => Date.parse(condition(await registry(n), 'Ready')?.['lastTransitionTime'])))))
  const quietFrom = readySince + (PENDING_RESYNC_SECONDS + 2) * 1000
  if (Date.now() < quietFrom) await sleep(quietFrom - Date.now())
  await until('no sync for 3 s', async () => {
    const calls = await hookSyncCalls()
    await sleep(3000)
    return (await hookSyncCalls()) === calls ? true : undefined
  })
  const before: Record<string, Record<string, string>> = {}
  const parents: Record<string, string> = {}
  for (const n of names) {
    before[n] = await versions(n)
    parents[n] = (await registry(n))['metadata']['resourceVersion']
  }
  const writes = writesIn(NS).length
  const childWrites = () => writesIn(NS).filter((e) => e['objectRef']['resource'] !== 'mcpregistries').length
  const childWritesBefore = childWrites()
  const calls = await hookSyncCalls()
  await sleep(10_000)
  // Metacontroller calls the hook on watch events, on resyncAfterSeconds (only while Pending) and on
  // resyncPeriodSeconds (not set here; the informer resync is every 30 min): at rest, never
  t.equal(await hookSyncCalls(), calls, 'no sync call over 10 s at rest: triggers are events, not a poll')
  for (const n of names) t.same(await versions(n), before[n], `${n}: no child's resourceVersion changed`)
  for (const n of names) t.equal((await registry(n))['metadata']['resourceVersion'], parents[n], `${n}: no status write`)
  t.equal(writesIn(NS).length, writes, 'no create, update, patch or delete by Metacontroller')
  // an event makes it sync each registry, and a converged registry's sync writes nothing
  for (const n of names) await poke(n)
  t.ok((await hookSyncCalls()) - calls >= names.length, 'one sync per changed registry')
  for (const n of names) t.same(await versions(n), before[n], `${n}: still the same children after its sync`)
  t.equal(childWrites(), childWritesBefore, 'no child write after the syncs either')
})

t.test('7. deleting an MCPRegistry deletes its children first, while it is Terminating, then lets it go', async (t) => {
  // a second finalizer held by the test keeps the object after Metacontroller is done with it: the children
  // must be gone while the registry still exists, deleted by Metacontroller and not by the garbage collector
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'private-git', '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"e2e.test/hold"}]'])
  t.equal((await getChildren('private-git')).length, 6)
  await kubectl(['-n', NS, 'delete', 'mcpregistry', 'private-git', '--wait=false'])
  const terminating = await until('Terminating', async () => {
    const r = await registry('private-git')
    return r['status']?.['phase'] === 'Terminating' ? r : undefined
  })
  t.match(condition(terminating, 'Ready'), { status: 'False', reason: 'Terminating' })
  await until('children deleted', async () => ((await getChildren('private-git')).length === 0 ? true : undefined), 60_000)
  const held = await registry('private-git')
  t.ok(held['metadata']['deletionTimestamp'], 'the registry is still there, Terminating, without its children')
  const deleted = new Set(
    writesIn(NS)
      .filter((e) => e['verb'] === 'delete' && String(e['objectRef']['name']).startsWith('private-git-') && e['responseStatus']['code'] === 200)
      .map((e) => `${e['objectRef']['resource']}/${e['objectRef']['name']}`),
  )
  t.equal(deleted.size, 6, `Metacontroller deleted each of the six children: ${[...deleted].join(', ')}`)
  await until('the hook finalizer removed once no child is left', async () =>
    ((await registry('private-git'))['metadata']['finalizers'] ?? []).some((f: string) => f.startsWith('metacontroller.io/')) ? undefined : true,
  )
  await kubectl(['-n', NS, 'patch', 'mcpregistry', 'private-git', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'])
  await until('the registry gone', async () => ((await cp.kubectl(['-n', NS, 'get', 'mcpregistry', 'private-git'])).code !== 0 ? true : undefined))

  // and a plain delete completes: kubectl waits for the registry to be gone, its children are gone too
  const plain = await cp.kubectl(['-n', NS, 'delete', 'mcpregistry', 'mirror', '--timeout=60s'])
  t.equal(plain.code, 0, `${plain.stdout}${plain.stderr}`)
  await until('mirror children gone', async () => ((await getChildren('mirror')).length === 0 ? true : undefined))
})

t.test('8. fifty registries created at once all reach Ready', async (t) => {
  await kubectl(['create', 'namespace', 'load'])
  const config = (exampleDocs('minimal.yaml')[0] as Obj)['spec']['configYAML'] as string
  const docs = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: `load-${i}`, namespace: 'load' }, spec: { configYAML: config } }),
  )
  const auditBefore = audit().length
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
  const mode = `${realBin === undefined ? 'stand-in' : 'Metacontroller'}, qps ${qps ?? 5} burst ${burst ?? 10}`
  report(`fifty registries Ready ${seconds.toFixed(1)} s after kubectl apply (${mode})`)
  t.same(controller.syncErrors('load/'), [], 'no sync errors')

  // API requests per registry, create to converged: everything Metacontroller asked about a registry or its
  // children (the audit log names them), once the fleet is quiet
  await until('no sync for 3 s', async () => {
    const calls = await hookSyncCalls()
    await sleep(3000)
    return (await hookSyncCalls()) === calls ? true : undefined
  })
  const events = audit().slice(auditBefore).filter((e) => e['objectRef']?.['namespace'] === 'load')
  const perRegistry = new Map<string, number>()
  const byKind: Record<string, number> = {}
  let unattributed = 0
  for (const e of events) {
    const name = String(e['objectRef']['name'] ?? '')
    const owner = /^(load-\d+)(-|$)/.exec(name)?.[1]
    if (owner === undefined) {
      unattributed++
      continue
    }
    perRegistry.set(owner, (perRegistry.get(owner) ?? 0) + 1)
    const what = `${e['verb']} ${e['objectRef']['resource']}${e['objectRef']['subresource'] ? `/${e['objectRef']['subresource']}` : ''}`
    byKind[what] = (byKind[what] ?? 0) + 1
  }
  const counts = [...perRegistry.values()]
  const mean = counts.reduce((a, b) => a + b, 0) / 50
  report(`API requests per registry (${mode}): mean ${mean.toFixed(1)}, min ${Math.min(...counts)}, max ${Math.max(...counts)}; ${unattributed} without a name`)
  report(`  per registry: ${Object.entries(byKind).sort().map(([k, v]) => `${k} ${(v / 50).toFixed(2)}`).join(', ')}`)
  t.equal(perRegistry.size, 50, 'every registry was worked on')
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
  t.match(condition(await registry('secure'), 'RegistryDataValid'), { status: 'True', message: 'Registry data is valid: source production has 1 server' })
  const saved = exampleDocs('oauth.yaml').filter((d) => d['kind'] === 'ConfigMap')
  await kubectl(['-n', NS, 'delete', 'configmap', 'prod-registry', 'keycloak-ca'])
  const missing = await until('the missing registry data ConfigMap is reported', async () => {
    const r = await registry('secure')
    return condition(r, 'RegistryDataValid')?.['status'] === 'False' ? r : undefined
  })
  t.match(condition(missing, 'RegistryDataValid'), { reason: 'ConfigMapNotFound', message: /ConfigMap prod-registry/ })
  const [data, ca] = saved as [Obj, Obj]
  await kubectl(['apply', '-f', '-'], JSON.stringify(data))
  const keycloak = await until('the next problem: the CA ConfigMap', async () => {
    const r = await registry('secure')
    return condition(r, 'RegistryDataValid')?.['message']?.includes('keycloak-ca') ? r : undefined
  })
  t.match(condition(keycloak, 'RegistryDataValid'), { status: 'False', reason: 'ConfigMapNotFound' })
  await kubectl(['apply', '-f', '-'], JSON.stringify(ca))
  const valid = await until('RegistryDataValid', async () => {
    const r = await registry('secure')
    return condition(r, 'RegistryDataValid')?.['status'] === 'True' ? r : undefined
  })
  t.match(condition(valid, 'RegistryDataValid'), { message: 'Registry data is valid: source production has 1 server' })
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
  const before = await versions('odd-quantities')
  const updates = () => writesIn(NS).filter((e) => e['verb'] === 'update' && String(e['objectRef']['name']).startsWith('odd-quantities-')).length
  const updated = updates()
  await poke('odd-quantities')
  await poke('odd-quantities')
  t.same(await versions('odd-quantities'), before, 'no child changes')
  t.equal(updates(), updated, 'no update: the desired object equals the stored one')

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

t.test('13. a registry that stays Pending is synced again after resyncAfterSeconds, with no event, and not before', async (t) => {
  // its pod can never be scheduled, so it stays Pending and nothing about it changes any more
  const reg = exampleDocs('minimal.yaml').find((d) => d['kind'] === 'MCPRegistry') as Obj
  reg['metadata'] = { name: 'unschedulable', namespace: NS }
  reg['spec']['podTemplateSpec'] = { spec: { nodeSelector: { 'e2e.test/no-such-node': 'x' } } }
  await kubectl(['apply', '-f', '-'], JSON.stringify(reg))
  await until('its Deployment reports the unavailable replica', async () => {
    const d = await cp.kubectl(['-n', NS, 'get', 'deployment', 'unschedulable-api', '-o', 'json'])
    return d.code === 0 && (JSON.parse(d.stdout) as Obj)['status']?.['unavailableReplicas'] === 1 ? true : undefined
  })
  const pending = await until('Pending', async () => {
    const r = await registry('unschedulable')
    return r['status']?.['phase'] === 'Pending' ? r : undefined
  })
  t.equal(pending['status']['readyReplicas'], 0)
  // the Deployment's last status update has been synced once nothing happens for 3 s
  await until('the events settled', async () => {
    const reads = parentReads('unschedulable')
    await sleep(3000)
    return parentReads('unschedulable') === reads ? true : undefined
  })
  const children = await versions('unschedulable')
  const parentVersion = () => registry('unschedulable').then((r) => r['metadata']['resourceVersion'] as string)
  const rv = await parentVersion()

  // the next sync comes from the resync the last Pending answer asked for: no event is due
  const first = parentReads('unschedulable')
  const notModified = await hookNotModified()
  await until('a resync', async () => (parentReads('unschedulable') > first ? true : undefined), (PENDING_RESYNC_SECONDS + 15) * 1000)
  const resynced = parentReads('unschedulable')
  t.equal(await parentVersion(), rv, 'nothing changed the registry in between (no status write either)')
  // ETag mode (metacontroller/compositecontroller.yaml): the request was the same, so the hook answered 304
  // without rendering and Metacontroller used the answer it had kept, resyncAfterSeconds included
  t.ok((await hookNotModified()) > notModified, 'the resync of the unchanged registry was answered 304 (ETag mode)')
  t.same(await versions('unschedulable'), children, 'nor its children')
  // and it asked for the next one PENDING_RESYNC_SECONDS later: nothing comes much sooner
  await sleep((PENDING_RESYNC_SECONDS - 10) * 1000)
  t.equal(parentReads('unschedulable'), resynced, `no sync in the ${PENDING_RESYNC_SECONDS - 10} s after it: a delayed resync, not a poll`)
  await until('the next resync', async () => (parentReads('unschedulable') > resynced ? true : undefined), 30_000)
  await kubectl(['-n', NS, 'delete', 'mcpregistry', 'unschedulable', '--timeout=60s'])
})

t.test('14. a configYAML with an alias to an undefined anchor is Failed, and the registry is still deleted cleanly', async (t) => {
  const configYAML = [
    'sources:',
    '  - name: k8s',
    '    kubernetes: {}',
    'registries:',
    '  - name: default',
    '    sources: [k8s]',
    'database:',
    '  host: postgres',
    '  port: 5432',
    '  user: db_app',
    '  password: *nope',
    '  database: registry',
    'auth:',
    '  mode: anonymous',
    '',
  ].join('\n')
  const manifest = { apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: 'broken-alias', namespace: NS }, spec: { configYAML } }
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifest))
  const failed = await until('Failed', async () => {
    const r = await registry('broken-alias')
    return r['status']?.['phase'] === 'Failed' ? r : undefined
  })
  t.match(condition(failed, 'ConfigValid'), { status: 'False', reason: 'InvalidConfigYAML', message: /nope/ })
  t.match(failed['status']['message'], /^Spec validation failed: spec\.configYAML/)
  t.equal((await getChildren('broken-alias')).length, 0, 'nothing was created')
  const deleted = await cp.kubectl(['-n', NS, 'delete', 'mcpregistry', 'broken-alias', '--timeout=60s'])
  t.equal(deleted.code, 0, `kubectl delete completes: ${deleted.stdout}${deleted.stderr}`)
  t.not((await cp.kubectl(['-n', NS, 'get', 'mcpregistry', 'broken-alias'])).code, 0, 'the registry is gone')
})

t.test('15. the monitoring part applies with kubectl apply -k once the monitoring.coreos.com CRDs are installed', async (t) => {
  const dryRun = await cp.kubectl(['apply', '-k', path('manifests/monitoring'), '--dry-run=server'])
  t.not(dryRun.code, 0, 'without the CRDs the API server knows no ServiceMonitor')
  t.match(dryRun.stderr, /no matches for kind "(ServiceMonitor|PrometheusRule)"/)

  // the prometheus-operator's CRDs from its Go module (test/e2e/fetch-monitoring-crds.sh pins the version)
  let started = Date.now()
  const crdDir = execFileSync('bash', [path('test/e2e/fetch-monitoring-crds.sh')], { encoding: 'utf8', timeout: 300_000 }).trim()
  report(`monitoring CRDs fetched in ${Date.now() - started} ms: ${crdDir}`)
  started = Date.now()
  await kubectl(['apply', '--server-side', '-f', crdDir])
  await kubectl(['wait', '--for=condition=Established', '-f', crdDir, '--timeout=120s'])
  report(`monitoring.coreos.com CRDs (${readdirSync(crdDir).length} files) Established in ${Date.now() - started} ms`)

  // the base first (scenario 9 has applied it already in a full run; applying it again changes nothing)
  await kubectl(['apply', '-k', path('manifests')])
  const applied = await kubectl(['apply', '-k', path('manifests/monitoring')])
  t.same(applied.trim().split('\n').sort(), [
    'configmap/mcpregistry-hook-dashboard created',
    'networkpolicy.networking.k8s.io/mcpregistry-hook-metrics created',
    'prometheusrule.monitoring.coreos.com/mcpregistry-hook created',
    'servicemonitor.monitoring.coreos.com/mcpregistry-hook created',
  ])
  const again = await kubectl(['apply', '-k', path('manifests/monitoring')])
  t.ok(again.trim().split('\n').every((l) => l.endsWith(' unchanged')), `applying again changes nothing: ${again}`)

  // what Prometheus would find: the Service the ServiceMonitor selects, with the named port, and ready pods behind it
  const monitor = await getJson(['-n', 'mcpregistry-hook', 'get', 'servicemonitor', 'mcpregistry-hook'])
  const selector = Object.entries(monitor['spec']['selector']['matchLabels'] as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',')
  const services = await getJson(['-n', 'mcpregistry-hook', 'get', 'services', '-l', selector])
  t.same(services['items'].map((s: Obj) => s['metadata']['name']), ['mcpregistry-hook'], 'the ServiceMonitor selects the hook Service')
  const portName = monitor['spec']['endpoints'][0]['port']
  t.ok(services['items'][0]['spec']['ports'].some((p: Obj) => p['name'] === portName), `the Service has the port ${portName}`)
  const ready = await until('ready endpoints behind the hook Service', async () => {
    const slices = await getJson(['-n', 'mcpregistry-hook', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=mcpregistry-hook'])
    const n = (slices['items'] as Obj[]).flatMap((s) => (s['ports'] ?? []).some((p: Obj) => p['name'] === portName) ? (s['endpoints'] ?? []) : []).filter((e: Obj) => e['conditions']?.['ready']).length
    return n > 0 ? n : undefined
  })
  t.equal(ready, 2, 'both hook pods are scrape targets')

  const rule = await getJson(['-n', 'mcpregistry-hook', 'get', 'prometheusrule', 'mcpregistry-hook'])
  t.same(rule['spec']['groups'][0]['rules'].map((r: Obj) => r['alert']), ['MCPRegistryHookDown', 'MCPRegistryHookErrors', 'MCPRegistryHookSlow', 'MCPRegistryFailed'], 'the rules as stored, validated by the CRD schema')
  const dashboards = await getJson(['get', 'configmaps', '-A', '-l', 'grafana_dashboard=1'])
  t.same(dashboards['items'].map((c: Obj) => `${c['metadata']['namespace']}/${c['metadata']['name']}`), ['mcpregistry-hook/mcpregistry-hook-dashboard'])
  t.equal(JSON.parse(dashboards['items'][0]['data']['mcpregistry-hook.json'])['uid'], 'mcpregistry-hook', 'the dashboard JSON, whole')

  // the hook built from this tree exports what the rules read, process and event-loop metrics included
  const text = await (await fetch(`${hookBase}/metrics`)).text()
  for (const m of ['mcpregistry_hook_requests_total', 'mcpregistry_hook_request_duration_seconds_bucket', 'mcpregistry_hook_syncs_total', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
    t.match(text, new RegExp(`^${m}[{ ]`, 'm'), `the running hook exports ${m}`)
  }
})

t.test('16. the alerts fire as their annotations say: promtool check rules and test rules on the PrometheusRule', async (t) => {
  // Prometheus's own checker and rule unit-test runner, from Debian's prometheus package (test/e2e/fetch-promtool.sh)
  const promtool = execFileSync('bash', [path('test/e2e/fetch-promtool.sh')], { encoding: 'utf8', timeout: 300_000 }).trim()
  const dir = `${workDir}/alerts`
  mkdirSync(dir, { recursive: true })
  const rule = parseAllDocuments(readFileSync(path('manifests/monitoring/prometheusrule.yaml'), 'utf8'))[0]?.toJS() as Obj
  writeFileSync(`${dir}/rules.yaml`, stringify(rule['spec']))
  // each expected alert's annotations are the rule's own, with its labels and the expected $value rendered in
  const annotations = new Map((rule['spec']['groups'] as Obj[]).flatMap((g) => g['rules'] as Obj[]).map((r) => [r['alert'], r['annotations'] as Record<string, string>]))
  const tests = parseAllDocuments(readFileSync(path('test/e2e/fixtures/alert-tests.yaml'), 'utf8'))[0]?.toJS() as Obj
  let expected = 0
  for (const c of tests['tests'] as Obj[]) {
    for (const a of c['alert_rule_test'] as Obj[]) {
      for (const e of a['exp_alerts'] as Obj[]) {
        const value = String(e['exp_value'] ?? '')
        delete e['exp_value']
        const render = (text: string) =>
          text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => String(e['exp_labels'][l])).replace(/\{\{ \$value[^}]*\}\}/g, () => value)
        e['exp_annotations'] = Object.fromEntries(Object.entries(annotations.get(a['alertname']) ?? {}).map(([k, v]) => [k, render(v)]))
        expected++
      }
    }
  }
  writeFileSync(`${dir}/tests.yaml`, stringify(tests))
  const run = (args: string[]) => {
    try {
      return { code: 0, out: execFileSync(promtool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) }
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string }
      return { code: e.status, out: `${e.stdout}${e.stderr}` }
    }
  }
  const checked = run(['check', 'rules', `${dir}/rules.yaml`])
  t.equal(checked.code, 0, checked.out)
  t.match(checked.out, /SUCCESS: 4 rules found/)
  const tested = run(['test', 'rules', `${dir}/tests.yaml`])
  t.equal(tested.code, 0, tested.out)
  report(`promtool test rules: ${tests['tests'].length} cases, ${expected} firing alerts with their rendered annotations: ${tested.out.includes('SUCCESS') ? 'SUCCESS' : 'FAILED'}`)
})

t.test('17. ETag mode: a resync of every converged registry is answered 304, and changes nothing', { skip: realBin !== undefined ? 'the stand-in only: it can resync every registry at once (the real one showed its 304s in scenario 13)' : false }, async (t) => {
  const s = standIn as MetacontrollerStandIn
  await until('no sync for 3 s', async () => {
    const calls = await hookSyncCalls()
    await sleep(3000)
    return (await hookSyncCalls()) === calls ? true : undefined
  })
  const rendered = async () => (await hookSyncCalls()) - (await hookNotModified())
  const [renderedBefore, notModifiedBefore, writesBefore, countsBefore] = [await rendered(), await hookNotModified(), audit().filter((e) => WRITE_VERBS.has(e['verb'])).length, { ...s.etagCounts }]
  const list = await getJson(['get', 'mcpregistries', '--all-namespaces'])
  const parents = (list['items'] as Obj[]).length
  await s.syncAll()
  const notModified = (await hookNotModified()) - notModifiedBefore
  report(`ETag mode: a resync of ${parents} converged registries: ${notModified} answered 304, ${(await rendered()) - renderedBefore} rendered`)
  t.equal(notModified, parents, 'every one answered 304: the same request as last time')
  t.equal((await rendered()) - renderedBefore, 0, 'nothing rendered')
  t.equal(s.etagCounts.notModified - countsBefore.notModified, parents, 'the stand-in reused its kept answer for each')
  t.equal(audit().filter((e) => WRITE_VERBS.has(e['verb'])).length, writesBefore, 'and wrote nothing: the kept answers are the converged ones')
  t.same(controller.syncErrors('').filter((e) => /status code (304|412)|cached response/.test(e)), [], 'no 304 ever found the stand-in without a kept answer')
})
