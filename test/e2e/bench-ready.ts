/**
 * Benchmark, not a test: time to Ready for N registries (default 50), the ToolHive operator against the hook
 * under the Metacontroller stand-in, on the same control plane in one run. Each round creates N copies of
 * examples/minimal.yaml in a fresh namespace for the operator, waits until all are Ready, then does the same
 * for the hook; the sides alternate which goes first from round to round. Prints each time, the medians
 * and the ratio hook/operator.
 *
 *   npm run build && bash test/e2e/build-tools.sh
 *   node --import=@tapjs/typescript/import test/e2e/bench-ready.ts      # BENCH_N=50 BENCH_ROUNDS=3
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { parse } from 'yaml'
import { freePorts, startControlPlane } from './lib/controlplane.js'
import { MetacontrollerStandIn } from './lib/metacontroller.js'
import { applyOperatorCrds, HookNamespacesApi, operatorModule, startOperator } from './lib/operator.js'

type Obj = Record<string, any>
const path = (rel: string) => new URL(`../../${rel}`, import.meta.url).pathname
const N = Number(process.env['BENCH_N'] ?? 50)
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3)
const binDir = process.env['E2E_BIN_DIR'] ?? path('test/e2e/.bin')
const workDir = path('test/e2e/.work/bench-ready')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

rmSync(workDir, { recursive: true, force: true })
const cp = await startControlPlane({ binDir, workDir })
const hookNs = new Set<string>()
let hook: ReturnType<typeof spawn> | undefined
let standIn: MetacontrollerStandIn | undefined
let api: HookNamespacesApi | undefined
try {
  console.log(`operator ${operatorModule().version}; ${N} registries; ${ROUNDS} round(s)`)
  await applyOperatorCrds(cp)
  await cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', path('manifests/crd.yaml')])
  await cp.kubectlOk(['create', 'namespace', 'metacontroller'])
  await cp.kubectlOk(['-n', 'metacontroller', 'create', 'serviceaccount', 'metacontroller'])
  await cp.kubectlOk(['apply', '-f', path('metacontroller/rbac.yaml')])
  const token = await cp.tokenFor('metacontroller', 'metacontroller', { duration: '2h' })
  const [port] = await freePorts(1)
  hook = spawn(process.execPath, [path('dist/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) break
    if (i > 100) throw new Error('the hook did not start')
    await sleep(200)
  }
  api = new HookNamespacesApi(cp.server, token, readFileSync(cp.caFile, 'utf8'), (ns) => hookNs.has(ns))
  standIn = new MetacontrollerStandIn({ api, controllerFile: path('metacontroller/compositecontroller.yaml'), hookBaseUrl: `http://127.0.0.1:${port}` })
  await standIn.start()
  const config = (parse(readFileSync(path('examples/minimal.yaml'), 'utf8')) as Obj)['spec']['configYAML'] as string

  const opNamespaces = Array.from({ length: ROUNDS }, (_, r) => `bench-op-${r}`)
  const operator = startOperator(cp, { namespaces: opNamespaces, logName: 'thv-operator-bench' })
  await sleep(3000) // its caches sync before the clock starts

  const timeToReady = async (ns: string): Promise<number> => {
    await cp.kubectlOk(['create', 'namespace', ns])
    const docs = Array.from({ length: N }, (_, i) =>
      JSON.stringify({ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: `load-${i}`, namespace: ns }, spec: { configYAML: config } }),
    )
    const started = Date.now()
    await cp.kubectlOk(['apply', '-f', '-'], { input: docs.join('\n---\n') })
    for (;;) {
      const list = JSON.parse(await cp.kubectlOk(['-n', ns, 'get', 'mcpregistries', '-o', 'json'])) as Obj
      if ((list['items'] as Obj[]).filter((r) => r['status']?.['phase'] === 'Ready').length === N) return (Date.now() - started) / 1000
      await sleep(200)
    }
  }
  const times: Record<'operator' | 'hook', number[]> = { operator: [], hook: [] }
  for (let r = 0; r < ROUNDS; r++) {
    const order: ('operator' | 'hook')[] = r % 2 === 0 ? ['operator', 'hook'] : ['hook', 'operator']
    for (const side of order) {
      const ns = side === 'operator' ? `bench-op-${r}` : `bench-hook-${r}`
      if (side === 'hook') hookNs.add(ns)
      const s = await timeToReady(ns)
      times[side].push(s)
      console.log(`round ${r + 1}: ${side} ${s.toFixed(1)} s`)
    }
  }
  await operator.stop()
  const [o, h] = [median(times.operator), median(times.hook)]
  console.log(`median time to Ready for ${N} registries: operator ${o.toFixed(1)} s, hook ${h.toFixed(1)} s; hook/operator = ${(h / o).toFixed(2)}`)
} finally {
  await standIn?.stop()
  api?.close()
  if (hook !== undefined && hook.exitCode === null) {
    hook.kill('SIGTERM')
    await once(hook, 'exit')
  }
  await cp.stop()
}
