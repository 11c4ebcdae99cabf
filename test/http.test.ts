/** The HTTP surface (SPEC §5) through Fastify's inject: every route and every bad-input case. */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { buildApp } from '../src/http/app.js'
import { sync } from '../src/hook.js'
import { MINIMAL_CONFIG, NOW, observedDeployment, readText, request, settings } from './fixtures/helpers.js'

/** The parent identity Metacontroller always sends. */
const MCPREG = { apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry' }

function build(t: Test, env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  const app = buildApp({ settings: settings(env), logger: pino({ level: 'info' }, stream), now: () => NOW })
  t.teardown(() => app.close())
  return { app, lines }
}

t.test('POST /sync answers 200 with children and status, and logs one line without the body', async (t) => {
  const { app, lines } = build(t)
  const res = await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['children', 'resyncAfterSeconds', 'status'], 'only the documented response keys (v2 strict mode)')
  t.equal(body.children.length, 6)
  t.equal(body.status.phase, 'Pending')
  const log = lines.filter((l) => l['msg'] === 'sync')
  t.equal(log.length, 1, 'one line per hook call')
  t.match(log[0], { namespace: 'ns1', name: 'reg', generation: 1, phase: 'Pending', finalizing: false, children: 6, durationMs: Number })
  t.notOk(JSON.stringify(lines).includes('postgres'), 'the request body is never logged at info')
})

t.test('POST /sync for an invalid spec answers 200 Failed, not an HTTP error', async (t) => {
  const { app } = build(t)
  const res = await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG, pgpassSecretRef: { name: '', key: '.pgpass' } }) })
  t.equal(res.statusCode, 200)
  t.equal(res.json().status.phase, 'Failed')
  t.match(res.json().status.message, /spec\.pgpassSecretRef\.name: is required/)
})

t.test('POST /finalize and POST /sync with finalizing: true both finalize', async (t) => {
  const { app } = build(t)
  for (const url of ['/finalize', '/sync']) {
    const res = await app.inject({ method: 'POST', url, payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true }) })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: { phase: 'Terminating' }, finalized: true, children: [] })
  }
  // children still observed: not finalized, so Metacontroller deletes them before it lets the registry go
  const children = { 'Deployment.apps/v1': { 'reg-api': observedDeployment('reg-api', { readyReplicas: 1 }) } }
  const res = await app.inject({ method: 'POST', url: '/finalize', payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true, children }) })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: { phase: 'Terminating' }, finalized: false, children: [] })
})

t.test('POST /customize lists related ConfigMaps', async (t) => {
  const { app, lines } = build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/customize',
    payload: { controller: {}, parent: { ...MCPREG, metadata: { name: 'r', namespace: 'ns1' }, spec: { volumes: [{ name: 'd', configMap: { name: 'data' } }] } } },
  })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { relatedResources: [{ apiVersion: 'v1', names: ['data'], namespace: 'ns1', resource: 'configmaps' }] })
  t.match(lines.find((l) => l['msg'] === 'customize'), { namespace: 'ns1', name: 'r', related: 1 })
})

t.test('examples/sync-request.json (the README curl) is a request the hook answers', async (t) => {
  const { app } = build(t)
  const res = await app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: readText('examples/sync-request.json') })
  t.equal(res.statusCode, 200)
  t.equal(res.json().status.phase, 'Ready')
})

/** The value of the sample `name` whose labels are exactly `labels` (in any order), from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',')
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m?.[1] === name && (m[2] ?? '').split(',').filter(Boolean).sort().join(',') === want) return Number(m[3])
  }
  return undefined
}

t.test('health, readiness and metrics', async (t) => {
  const { app } = build(t)
  t.same((await app.inject('/healthz')).json(), { status: 'ok' })
  t.same((await app.inject('/readyz')).json(), { status: 'ready' })
  await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: 'sources: [' }) })
  await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })
  await app.inject({ method: 'POST', url: '/sync', payload: 'nope', headers: { 'content-type': 'text/plain' } })
  await app.inject({ method: 'POST', url: '/finalize', payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true }) })
  await app.inject({ method: 'POST', url: '/customize', payload: { parent: { ...MCPREG, metadata: { name: 'r', namespace: 'ns1' } } } })
  await app.inject('/nope')
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8', "prom-client's content type, the text format 0.0.4")
  const text = res.body
  const hook = (name: string, labels: Record<string, string> = {}) => sample(text, `mcpregistry_hook_${name}`, labels)
  t.equal(hook('requests_total', { route: '/sync', code: '200' }), 2)
  t.equal(hook('requests_total', { route: '/sync', code: '400' }), 1, 'a refused body is counted under its route')
  t.equal(hook('requests_total', { route: '/finalize', code: '200' }), 1)
  t.equal(hook('requests_total', { route: '/customize', code: '200' }), 1)
  t.equal(hook('requests_total', { route: '/healthz', code: '200' }), 1)
  t.equal(hook('requests_total', { route: 'unknown', code: '404' }), 1, 'no route: one series, whatever the URL')
  t.equal(hook('request_duration_seconds_count', { route: '/sync' }), 3)
  t.equal(hook('request_duration_seconds_bucket', { route: '/sync', le: '+Inf' }), 3)
  t.equal(hook('request_duration_seconds_bucket', { route: '/sync', le: '10' }), 3, "buckets reach Metacontroller's 10 s timeout")
  t.ok((hook('request_duration_seconds_sum', { route: '/sync' }) as number) > 0)
  t.equal(hook('validation_failures_total', { reason: 'InvalidConfigYAML' }), 1)
  t.equal(hook('syncs_total', { phase: 'Failed' }), 1)
  t.equal(hook('syncs_total', { phase: 'Pending' }), 1)
  t.equal(hook('syncs_total', { phase: 'Terminating' }), 1, 'a finalize answer is counted by its phase')
  t.equal(hook('syncs_total', { phase: 'Ready' }), 0, 'every phase has a series from the start, so increase() sees the first one')
  // prom-client's default metrics: the process and the Node.js runtime
  t.ok((sample(text, 'process_cpu_seconds_total') as number) > 0, 'process CPU')
  t.ok((sample(text, 'process_resident_memory_bytes') as number) > 0, 'resident memory')
  t.ok((sample(text, 'nodejs_heap_size_used_bytes') as number) > 0, 'heap')
  t.match(text, /^nodejs_eventloop_lag_p99_seconds \S+$/m, 'event-loop lag')
  t.match(text, /^# TYPE nodejs_gc_duration_seconds histogram$/m, 'GC durations')
  t.match(text, /^nodejs_version_info\{version="v\d+/m)
})

t.test('each app counts its own requests; the process metrics are the same in every app', async (t) => {
  const one = build(t).app
  const two = build(t).app
  await one.inject('/healthz')
  await one.inject('/healthz')
  await two.inject('/healthz')
  const [a, b] = [(await one.inject('/metrics')).body, (await two.inject('/metrics')).body]
  t.equal(sample(a, 'mcpregistry_hook_requests_total', { route: '/healthz', code: '200' }), 2)
  t.equal(sample(b, 'mcpregistry_hook_requests_total', { route: '/healthz', code: '200' }), 1)
  t.equal(sample(a, 'process_start_time_seconds'), sample(b, 'process_start_time_seconds'))
  t.equal(a.match(/^# TYPE process_cpu_seconds_total /gm)?.length, 1, 'each metric once')
})

t.test('validation failures count refused specs, once per sync, by the first error\'s reason', async (t) => {
  const { app } = build(t)
  const post = (payload: object) => app.inject({ method: 'POST', url: '/sync', payload })
  const badTemplate = { podTemplateSpec: { spec: { containers: 'x' } } }
  const failed = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }
  const mountsData = { volumes: [{ name: 'd', configMap: { name: 'absent' } }], volumeMounts: [{ name: 'd', mountPath: '/d' }] }
  await post(request({ configYAML: 'sources: [' }))
  await post(request({ configYAML: 'sources: [', ...badTemplate }))
  await post(request({ configYAML: MINIMAL_CONFIG, ...badTemplate }))
  await post(request({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'Bad_Name', emptyDir: {} }] }))
  await post(request({ configYAML: 'sources: [' }, { finalizing: true }))
  await post(request({ configYAML: MINIMAL_CONFIG }))
  await post(request({ configYAML: MINIMAL_CONFIG, ...mountsData }))
  await post(request({ configYAML: MINIMAL_CONFIG }, { children: { 'Deployment.apps/v1': { 'reg-api': observedDeployment('reg-api', { conditions: [failed] }) } } }))
  const body = (await app.inject('/metrics')).body
  t.same(body.split('\n').filter((l) => l.startsWith('mcpregistry_hook_validation_failures_total')).sort(), [
    'mcpregistry_hook_validation_failures_total{reason="InvalidConfigYAML"} 1',
    'mcpregistry_hook_validation_failures_total{reason="InvalidPodTemplateSpec"} 2',
    'mcpregistry_hook_validation_failures_total{reason="ValidationFailed"} 1',
  ], 'not NotReady, Terminating, a rollout or registry data; a sync with two bad parts counts once')
})

t.test('bad input: 400 with a JSON body naming the problem', async (t) => {
  const { app } = build(t)
  const cases: { name: string; headers?: Record<string, string>; payload: string; field?: string; message: RegExp }[] = [
    { name: 'not JSON', payload: '{"parent":', field: '(body)', message: /JSON/ },
    { name: 'wrong content type', headers: { 'content-type': 'text/yaml' }, payload: 'parent: {}', field: '(body)', message: /Content-Type must be application\/json/ },
    { name: 'missing parent', payload: '{"children":{}}', field: 'parent', message: /^parent: is required; send a Metacontroller hook request/ },
    { name: 'parent without namespace', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x' } } }), field: 'parent.metadata.namespace', message: /namespace/ },
    { name: 'children of the wrong shape', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x', namespace: 'n' } }, children: [] }), field: 'children', message: /^children: must be object/ },
    { name: 'a child without metadata', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x', namespace: 'n' } }, children: { 'ConfigMap.v1': { a: {} } } }), field: 'children.ConfigMap.v1.a.metadata', message: /metadata/ },
    { name: 'finalizing not a boolean', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x', namespace: 'n' } }, finalizing: 'true' }), field: 'finalizing', message: /boolean/ },
    { name: 'a JSON array', payload: '[]', field: '(body)', message: /must be object/ },
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, payload: '{}', field: '(body)', message: /^Content-Type must be application\/json$/ },
    { name: 'a duplicate key', payload: `{"parent":{"kind":"MCPRegistry","kind":"Pod"}}`, field: 'parent', message: /^parent: key "kind" is given twice; send each key once$/ },
    { name: 'a duplicate key written with an escape', payload: `{"finalizing":false,"\\u0066inalizing":true}`, field: '(body)', message: /key "finalizing" is given twice/ },
    { name: 'a __proto__ key', payload: `{"children":{"__proto__":{}}}`, field: 'children', message: /^children: a "__proto__" key is not allowed$/ },
    { name: 'a parent that is not an MCPRegistry', payload: JSON.stringify({ parent: { ...MCPREG, kind: 'Pod', metadata: { name: 'x', namespace: 'n' } } }), field: 'parent.kind', message: /^parent\.kind: must be equal to constant/ },
    { name: 'a parent of another group', payload: JSON.stringify({ parent: { apiVersion: 'v1', kind: 'MCPRegistry', metadata: { name: 'x', namespace: 'n' } } }), field: 'parent.apiVersion', message: /^parent\.apiVersion: / },
    { name: 'a namespace longer than Kubernetes allows', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x', namespace: 'n'.repeat(64) } } }), field: 'parent.metadata.namespace', message: /^parent\.metadata\.namespace: must NOT have more than 63 characters/ },
    { name: 'a name longer than Kubernetes allows', payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'x'.repeat(254), namespace: 'n' } } }), field: 'parent.metadata.name', message: /^parent\.metadata\.name: must NOT have more than 253 characters/ },
    { name: 'no body', headers: {}, payload: '', field: '(body)', message: /body|JSON/i },
  ]
  for (const c of cases) {
    const res = await app.inject({ method: 'POST', url: '/sync', headers: c.headers ?? { 'content-type': 'application/json' }, payload: c.payload })
    t.equal(res.statusCode, 400, `${c.name}: 400`)
    const body = res.json()
    t.match(body, { statusCode: 400, error: 'Bad Request', message: c.message }, `${c.name}: message`)
    if (c.field !== undefined) t.equal(body.field, c.field, `${c.name}: names the field`)
    t.notMatch(res.body, /at .*\.(ts|js):\d+/, `${c.name}: no stack trace`)
  }
  const customize = await app.inject({ method: 'POST', url: '/customize', payload: { parent: { ...MCPREG, metadata: {} } } })
  t.equal(customize.statusCode, 400)
  t.equal(customize.json().field, 'parent.metadata.name')
})

t.test('a body over BODY_LIMIT is 413, and the limit is configurable', async (t) => {
  const { app } = build(t, { BODY_LIMIT: '2048' })
  const big = request({ configYAML: `${MINIMAL_CONFIG}# ${'x'.repeat(4096)}\n` })
  const res = await app.inject({ method: 'POST', url: '/sync', payload: big })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { statusCode: 413, error: 'Payload Too Large', message: /larger than BODY_LIMIT \(2048 bytes\); raise BODY_LIMIT/, field: '(body)' })
})

t.test('the default body limit takes a request with 6 MiB of managedFields', async (t) => {
  const { app } = build(t)
  const req = request({ configYAML: MINIMAL_CONFIG })
  req.children = { 'ConfigMap.v1': { big: { metadata: { name: 'big', managedFields: [{ f: 'x'.repeat(6 * 1024 * 1024) }] } } } }
  const res = await app.inject({ method: 'POST', url: '/sync', payload: req })
  t.equal(res.statusCode, 200)
})

t.test('unknown routes are 404 with a JSON body', async (t) => {
  const { app } = build(t)
  const res = await app.inject({ method: 'GET', url: '/nope' })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, error: 'Not Found', message: 'No route GET /nope' })
})

t.test('an internal error is a plain 500 without details, and is logged', async (t) => {
  const { app, lines } = build(t)
  app.get('/boom', async () => {
    throw new Error('secret internals')
  })
  const res = await app.inject('/boom')
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, error: 'Internal Server Error', message: 'The hook failed; see its logs.' })
  t.match(lines.find((l) => l['msg'] === 'hook failed'), { level: 50, err: { message: 'secret internals' } })
})

t.test('without a logger the app is silent and still answers', async (t) => {
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })
  t.equal(res.statusCode, 200)
})

t.test('hostile specs answer 200 with a Failed status naming the field, quickly, never 500', { timeout: 60_000 }, async (t) => {
  const { app } = build(t)
  // JSON.stringify cannot write what is nested this deep, so the placeholder is replaced in the text
  const deep = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`
  const post = (spec: unknown, extra = {}) =>
    app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(request(spec, extra)).replace('"DEEP"', deep) })
  const nested = await post({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { affinity: 'DEEP' } } })
  t.equal(nested.statusCode, 200)
  t.match(nested.json().status, { phase: 'Failed', message: /^Spec validation failed: spec\.podTemplateSpec\.spec\.affinity(\.a){61}: is nested more than 64 levels below spec/ })
  const finalize = await post({ configYAML: MINIMAL_CONFIG, volumes: ['DEEP'] }, { finalizing: true })
  t.match(finalize.json(), { status: { phase: 'Terminating' }, children: [], finalized: true }, 'a registry with any spec can be deleted')
  const quantity = await post({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'v', emptyDir: { sizeLimit: `${'0'.repeat(100_000)}x` } }] })
  t.match(quantity.json().status, { phase: 'Failed', message: /spec\.volumes\[0\]\.emptyDir\.sizeLimit: "0{100000}x" is not a Kubernetes quantity/ })
  const cpu = await post({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', resources: { limits: { cpu: `1${'0'.repeat(100_000)}.` } } }] } } })
  t.match(cpu.json().status, { phase: 'Failed' })
})

t.test('/readyz answers 503 while the process drains', async (t) => {
  let ready = true
  const app = buildApp({ settings: settings(), ready: () => ready })
  t.teardown(() => app.close())
  t.equal((await app.inject('/readyz')).statusCode, 200)
  ready = false
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { status: 'draining' })
  t.equal((await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })).statusCode, 200, 'hooks are still served while draining')
})

t.test('should the core ever throw, the answer is the fallback, and the failure is logged', async (t) => {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  const broken = () => {
    throw new Error('a bug in the core')
  }
  const app = buildApp({ settings: settings(), logger: pino({ level: 'info' }, stream), now: () => NOW, sync: broken })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/finalize', payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true }) })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: { phase: 'Terminating' }, children: [], finalized: true })
  t.match(lines.find((l) => l['msg'] === 'the hook failed on this request; answering the fallback'), { level: 50, namespace: 'ns1', name: 'reg', err: { message: 'a bug in the core' } })
})

t.test('ETag: every sync answer carries one; the same input the same ETag, any changed input another', async (t) => {
  const post = async (app: ReturnType<typeof buildApp>, payload: unknown, url = '/sync') => {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
    t.equal(res.statusCode, 200)
    return res.headers['etag'] as string
  }
  const { app } = build(t)
  const base = request({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'd', configMap: { name: 'data' } }], volumeMounts: [{ name: 'd', mountPath: '/d' }] })
  const etag = await post(app, base)
  t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, 'a strong ETag')
  t.equal(await post(app, structuredClone(base)), etag, 'the same request: the same ETag')
  const other = build(t).app
  t.equal(await post(other, base), etag, 'from another replica with the same settings too')
  t.equal(await post(app, base, '/finalize'), etag, '/finalize answers the same body the same way')

  const changed: [string, (r: ReturnType<typeof request>) => void][] = [
    ['the spec', (r) => ((r.parent.spec as Record<string, unknown>)['displayName'] = 'x')],
    ['the generation', (r) => (r.parent.metadata.generation = 2)],
    ['the parent status', (r) => (r.parent.status = { phase: 'Ready' })],
    ['an observed Deployment status', (r) => (r.children = { 'Deployment.apps/v1': { 'reg-api': observedDeployment('reg-api', { readyReplicas: 1 }) } })],
    ['a related ConfigMap', (r) => (r.related = { 'ConfigMap.v1': { data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'data', namespace: 'ns1' }, data: { x: '1' } } } })],
    ['finalizing', (r) => (r.finalizing = true)],
  ]
  const seen = new Set([etag])
  for (const [what, change] of changed) {
    const r = structuredClone(base)
    change(r)
    const e = await post(app, r)
    t.notOk(seen.has(e), `a changed ${what}: a new ETag`)
    seen.add(e)
  }
  const changedSettings = build(t, { TOOLHIVE_REGISTRY_API_IMAGE: 'ghcr.io/stacklok/thv-registry-api:v1.5.2' }).app
  t.notOk(seen.has(await post(changedSettings, base)), 'changed settings: a new ETag')
  const sameBytesOtherOrder = JSON.stringify(base).replace('"kind":"MCPRegistry","metadata"', '"metadata"').replace('"spec":', '"kind":"MCPRegistry","spec":')
  const res = await app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: sameBytesOtherOrder })
  t.not(res.headers['etag'], etag, 'the ETag is of the bytes: the same object written otherwise is another ETag (never a wrong 304)')
})

t.test('ETag: a matching If-None-Match is 304 with no body, before parsing and without rendering', async (t) => {
  let renders = 0
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  const app = buildApp({
    settings: settings(),
    logger: pino({ level: 'info' }, stream),
    now: () => NOW,
    sync: (...args) => {
      renders++
      return sync(...args)
    },
  })
  t.teardown(() => app.close())
  const payload = JSON.stringify(request({ configYAML: MINIMAL_CONFIG }))
  const headers = { 'content-type': 'application/json' }
  const first = await app.inject({ method: 'POST', url: '/sync', headers, payload })
  const etag = first.headers['etag'] as string
  t.equal(renders, 1)
  for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`]) {
    const res = await app.inject({ method: 'POST', url: '/sync', headers: { ...headers, 'if-none-match': ifNoneMatch }, payload })
    t.equal(res.statusCode, 304, `If-None-Match: ${ifNoneMatch}`)
    t.equal(res.body, '', 'no body')
    t.equal(res.headers['etag'], etag, 'the ETag again')
  }
  t.equal(renders, 1, 'nothing was rendered for the 304s')
  t.match(lines.filter((l) => l['notModified'] === true), [{ msg: 'sync', etag }], 'a 304 is logged with its ETag')
  const finalize = await app.inject({ method: 'POST', url: '/finalize', headers: { ...headers, 'if-none-match': etag }, payload })
  t.equal(finalize.statusCode, 304, '/finalize too')

  const stale = await app.inject({ method: 'POST', url: '/sync', headers: { ...headers, 'if-none-match': '"stale"' }, payload })
  t.equal(stale.statusCode, 200, 'a stale If-None-Match gets the full answer')
  t.equal(stale.headers['etag'], etag)
  t.equal(stale.body, first.body, 'byte for byte the first answer')
  t.equal(renders, 2)

  const bad = await app.inject({ method: 'POST', url: '/sync', headers, payload: '{"parent":{}}' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['etag'], undefined, 'an error carries no ETag')
  const customize = await app.inject({ method: 'POST', url: '/customize', headers, payload: JSON.stringify({ parent: { ...MCPREG, metadata: { name: 'r', namespace: 'ns1' } } }) })
  t.equal(customize.statusCode, 200)
  t.equal(customize.headers['etag'], undefined, 'customize answers carry none (Metacontroller caches them per generation)')
  const metrics = (await app.inject('/metrics')).body
  t.match(metrics, /mcpregistry_hook_requests_total\{route="\/sync",code="304"\} 3\n/)
  t.match(metrics, /mcpregistry_hook_requests_total\{route="\/finalize",code="304"\} 1\n/)
})
