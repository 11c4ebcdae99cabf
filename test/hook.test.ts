/**
 * The pure core: nothing lost on a bad spec, finalize, customize, determinism, and the shape Metacontroller
 * needs (every child with apiVersion, kind, name; no replicas; no nulls).
 */
import t from 'tap'
import { asLastApplied, customize, keepObserved, serialise, sync, syncFallback } from '../src/hook.js'
import type { SyncRequest } from '../src/schema/hook.js'
import { child, exampleRequest, MINIMAL_CONFIG, NOW, observedDeployment, request, settings } from './fixtures/helpers.js'

/** Metacontroller's annotation on every child it applies (written here, not imported: a test must not take the value it checks from the code). */
const LAST_APPLIED_ANNOTATION = 'metacontroller.k8s.io/last-applied-configuration'

const S = settings()

t.test('a valid spec gives the six upstream children, each with apiVersion, kind, name and namespace', async (t) => {
  const { response } = sync(request({ configYAML: MINIMAL_CONFIG }), S, NOW)
  t.same(
    response.children.map((c) => `${c['kind']}/${(c['metadata'] as { name: string }).name}`),
    ['ConfigMap/reg-registry-server-config', 'ServiceAccount/reg-registry-api', 'Role/reg-registry-api', 'RoleBinding/reg-registry-api', 'Deployment/reg-api', 'Service/reg-api'],
  )
  for (const c of response.children) {
    t.ok(typeof c['apiVersion'] === 'string' && (c['metadata'] as { namespace: string }).namespace === 'ns1')
  }
  const deployment = child(response.children, 'Deployment')
  t.notOk('replicas' in deployment['spec'], 'kubectl scale and HPAs own replicas')
  t.same(nullPaths(response), [], 'no nulls: the API server drops them and Metacontroller would re-apply forever')
  t.same(nullPaths({ a: [1, { b: null }], c: null }), ['.a[1].b', '.c'], 'the walk finds nulls')
})

/** Where `v` holds null, before any serialisation (serialise() itself drops nulls, so it cannot be the check). */
function nullPaths(v: unknown, at = ''): string[] {
  if (v === null) return [at]
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${at}[${i}]`))
  if (typeof v === 'object') return Object.entries(v as object).flatMap(([k, x]) => nullPaths(x, `${at}.${k}`))
  return []
}

t.test('the observed Deployment is the one named <name>-api, not the first Deployment in the request', async (t) => {
  const children = {
    'Deployment.apps/v1': {
      'aaa-other': observedDeployment('aaa-other', { readyReplicas: 3, replicas: 3 }),
      'reg-api': observedDeployment('reg-api', { readyReplicas: 0, replicas: 1 }),
    },
  }
  const { response } = sync(request({ configYAML: MINIMAL_CONFIG }, { children }), S, NOW)
  t.match(response.status, { phase: 'Pending', readyReplicas: 0 })
})

t.test('a missing child type in the request counts as empty', async (t) => {
  const req = request({ configYAML: MINIMAL_CONFIG })
  delete req.children
  delete req.related
  const { response } = sync(req, S, NOW)
  t.equal(response.children.length, 6)
  t.equal(response.status['phase'], 'Pending')
})

/** Observed children as Metacontroller would send them after applying `desired`. */
function observedFrom(desired: Record<string, unknown>[]): SyncRequest['children'] {
  const out: NonNullable<SyncRequest['children']> = {}
  for (const d of desired) {
    const [group, version] = String(d['apiVersion']).includes('/') ? String(d['apiVersion']).split('/') : ['', d['apiVersion']]
    const key = `${d['kind']}.${group ? `${group}/` : ''}${version}`
    const meta = d['metadata'] as Record<string, any>
    const lastApplied = JSON.stringify({ ...d, metadata: { ...meta, labels: { ...meta['labels'], 'controller-uid': 'uid-1' } } })
    ;(out[key] ??= {})[meta['name']] = {
      ...structuredClone(d),
      metadata: {
        ...structuredClone(meta),
        uid: `uid-${meta['name']}`,
        resourceVersion: '7',
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'metacontroller' }],
        ownerReferences: [{ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', name: 'reg', uid: 'uid-1', controller: true }],
        annotations: { ...meta['annotations'], [LAST_APPLIED_ANNOTATION]: lastApplied },
      },
      status: { observedGeneration: 1 },
    } as any
  }
  return out
}

t.test('nothing lost: a bad spec keeps every observed child exactly as last applied', async (t) => {
  const good = sync(request({ configYAML: MINIMAL_CONFIG, networkPolicy: { enabled: true } }), S, NOW).response
  const observed = observedFrom(good.children)
  const bad = sync(request({ configYAML: 'sources: [', networkPolicy: { enabled: true } }, { children: observed }), S, NOW).response
  t.equal(bad.status['phase'], 'Failed')
  t.match(bad.status['message'], /the running registry is kept as it was until this is fixed/)
  t.equal(bad.children.length, 7, 'all seven children, none deleted')
  for (const kept of bad.children) {
    const meta = kept['metadata'] as Record<string, any>
    const original = good.children.find((c) => c['kind'] === kept['kind'])!
    t.same({ ...kept, metadata: { ...meta, labels: undefined } }, { ...original, metadata: { ...(original['metadata'] as object), labels: undefined } }, `${kept['kind']} is what was applied`)
    t.equal(meta['labels']['controller-uid'], 'uid-1', 'the last-applied annotation is returned as Metacontroller stored it')
  }
})

t.test('nothing lost without last-applied: the observed object minus server-set fields', async (t) => {
  const obs = observedDeployment('reg-api', { readyReplicas: 1 })
  obs.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: '{broken', 'team/owner': 'a' }
  obs.metadata['managedFields'] = []
  obs.metadata['ownerReferences'] = [{ apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', name: 'reg', uid: 'uid-1', controller: true }]
  const kept = asLastApplied('Deployment.apps/v1', obs, OWNER)
  t.same(kept, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1', annotations: { 'team/owner': 'a' } }, spec: {} })
  const bare = { metadata: { name: 'x', annotations: { [LAST_APPLIED_ANNOTATION]: '[]' } } }
  t.same(asLastApplied('ConfigMap.v1', bare, OWNER), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'apiVersion and kind from the type key')
  t.same(asLastApplied('ConfigMap.v1', { kind: 'Secret', metadata: { name: 'y' } }, OWNER), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } }, 'never the kind the object claims')
})

const OWNER = { name: 'reg', namespace: 'ns1' }

t.test('kept children: only what the hook could have made, in a stable order (declared types, then by name)', async (t) => {
  const obj = (apiVersion: string, kind: string, name: string, namespace = 'ns1') => ({ apiVersion, kind, metadata: { name, namespace } })
  const order = keepObserved({
    'Widget.example.com/v1': { w: obj('example.com/v1', 'Widget', 'reg-api') },
    'Secret.v1': { s: { ...obj('v1', 'Secret', 'reg-registry-api'), data: { password: 'c2VjcmV0' } } },
    'Service.v1': { s: obj('v1', 'Service', 'reg-api'), other: obj('v1', 'Service', 'other-api') },
    'ConfigMap.v1': { a: obj('v1', 'ConfigMap', 'reg-registry-server-config'), elsewhere: obj('v1', 'ConfigMap', 'reg-registry-server-config', 'kube-system') },
    'ServiceAccount.v1': { sa: obj('v1', 'ServiceAccount', 'reg-registry-api') },
  }, OWNER).map((c) => `${c['kind']}/${(c['metadata'] as { namespace: string }).namespace}/${(c['metadata'] as { name: string }).name}`)
  t.same(order, ['ConfigMap/ns1/reg-registry-server-config', 'ServiceAccount/ns1/reg-registry-api', 'Service/ns1/reg-api'], 'no Secret, no other type, name or namespace')
})

t.test('keep-last-good trusts an annotation only when it describes the object it is on', async (t) => {
  const forged = (lastApplied: object | string) => {
    const obs = observedDeployment('reg-api', {})
    obs.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: typeof lastApplied === 'string' ? lastApplied : JSON.stringify(lastApplied) }
    return keepObserved({ 'Deployment.apps/v1': { 'reg-api': obs } }, OWNER)
  }
  const plain = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1' }, spec: {} }
  const own = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1', labels: { a: 'b' } }, spec: { paused: true } }
  t.same(forged(own), [own], 'a matching annotation is what was applied')
  const unnamespaced = { ...own, metadata: { name: 'reg-api' } }
  t.same(forged(unnamespaced), [unnamespaced], 'an annotation without a namespace is of the parent\'s namespace')
  const bare = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reg-api' } }
  t.same(keepObserved({ 'Service.v1': { 'reg-api': bare } }, OWNER), [bare], 'so is an observed object without one')
  t.same(forged({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'reg-api' }, roleRef: { name: 'cluster-admin' } }), [plain], 'another kind: the observed object instead')
  t.same(forged({ ...own, apiVersion: 'apps/v1beta1' }), [plain], 'another apiVersion')
  t.same(forged({ ...own, metadata: { name: 'evil', namespace: 'ns1' } }), [plain], 'another name')
  t.same(forged({ ...own, metadata: { name: 'reg-api', namespace: 'kube-system' } }), [plain], 'another namespace')
  const deepText = `${'['.repeat(5000)}1${']'.repeat(5000)}`
  t.same(forged(JSON.stringify(own).replace('"paused":true', `"paused":${deepText}`)), [plain], 'nested deeper than any child the hook renders')
  const deepObserved = observedDeployment('reg-api', {})
  deepObserved['spec'] = { deep: JSON.parse(deepText) }
  t.same(keepObserved({ 'Deployment.apps/v1': { 'reg-api': deepObserved } }, OWNER), [], 'an observed object deeper than the hook renders is not the hook\'s')
})

t.test('the fallback, should the core ever fail: a finalize still finalizes, a sync keeps the hook\'s children', async (t) => {
  const children = { 'Service.v1': { 'reg-api': { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reg-api', namespace: 'ns1' } } } }
  const kept = syncFallback(request({ configYAML: MINIMAL_CONFIG }, { children }), NOW)
  t.same(kept, {
    response: {
      status: {
        phase: 'Failed',
        message: 'The hook could not process this MCPRegistry (see the hook logs); the running registry is kept as it was',
        readyReplicas: 0,
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-22T10:00:00Z', reason: 'ValidationFailed', message: 'The hook could not process this MCPRegistry (see the hook logs); the running registry is kept as it was' }],
      },
      children: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reg-api', namespace: 'ns1' } }],
    },
    outcome: { phase: 'Failed' },
  })
  const finalizing = syncFallback(request({}, { children, finalizing: true }), NOW).response
  t.match(finalizing, { status: { phase: 'Terminating' }, children: [], finalized: false })
  const nothing = request({}, { finalizing: true })
  delete nothing.children
  t.equal(syncFallback(nothing, NOW).response.finalized, true, 'nothing observed: finalized')
})

t.test('finalize answers Terminating and finalized even for a spec that cannot be read', async (t) => {
  const req = request('not an object', { finalizing: true })
  const { response } = sync(req, S, NOW)
  t.equal(response.status['phase'], 'Terminating')
  t.equal(response.finalized, true)
  t.same(response.children, [])
})

t.test('determinism: the same request twice gives byte-identical bodies, whatever the key order', async (t) => {
  const req = exampleRequest('examples/podtemplate.yaml')
  // steady state: the parent carries the status of the previous answer, as Metacontroller writes it
  req.parent.status = sync(req, S, new Date('2026-01-01T00:00:00Z')).response.status
  const a = serialise(sync(req, S, NOW).response)
  const b = serialise(sync(structuredClone(req), S, new Date('2027-05-05T05:05:05Z')).response)
  const reverse = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reverse) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v
  const c = serialise(sync(reverse(req) as SyncRequest, S, NOW).response)
  t.equal(a, b, 'no clock in the answer when nothing flips')
  t.equal(a, c, 'input key order does not matter')
})

t.test('serialise writes canonical JSON whatever it is given', async (t) => {
  t.equal(serialise({ b: 1, a: { d: [null, { f: 1, e: 2 }], c: null }, z: undefined }), '{"a":{"d":[null,{"e":2,"f":1}]},"b":1}')
  t.equal(serialise({ a: null }), '{}')
  t.equal(serialise({}), '{}')
  t.equal(serialise(['x', { b: 1, a: 2 }]), '["x",{"a":2,"b":1}]')
  t.equal(serialise('x'), '"x"')
})

t.test('config-hash changes with any spec change and only then', async (t) => {
  const hash = (spec: Record<string, unknown>) =>
    child(sync(request(spec), S, NOW).response.children, 'Deployment')['spec']['template']['metadata']['annotations']['toolhive.stacklok.dev/config-hash']
  const base = hash({ configYAML: MINIMAL_CONFIG })
  t.equal(hash({ configYAML: MINIMAL_CONFIG }), base)
  t.not(hash({ configYAML: MINIMAL_CONFIG.replace('postgres', 'pg') }), base, 'configYAML edit rolls the pods')
  t.not(hash({ configYAML: MINIMAL_CONFIG, displayName: 'x' }), base, 'displayName is part of the spec, as upstream')
})

t.test('customize asks for the ConfigMaps the spec mounts, sorted and once each', async (t) => {
  const parent = (spec: unknown) => ({ parent: { metadata: { name: 'r', namespace: 'ns1' }, spec } })
  t.same(
    customize(parent({
      volumes: [
        { name: 'b', configMap: { name: 'zeta' } },
        { name: 'a', projected: { sources: [{ configMap: { name: 'alpha' } }, { secret: { name: 's' } }] } },
        { name: 'c', configMap: { name: 'zeta' } },
        { name: 's', secret: { secretName: 'x' } },
        'garbage',
      ],
      podTemplateSpec: { spec: { volumes: [{ name: 'p', configMap: { name: 'from-template' } }] } },
    })),
    { relatedResources: [{ apiVersion: 'v1', resource: 'configmaps', namespace: 'ns1', names: ['alpha', 'from-template', 'zeta'] }] },
  )
  t.same(customize(parent({ configYAML: 'x' })), { relatedResources: [] }, 'nothing mounted: nothing related')
  t.same(customize(parent(undefined)), { relatedResources: [] }, 'no spec: nothing related')
  t.same(customize(parent({ podTemplateSpec: { spec: 'x' } })), { relatedResources: [] })
})

t.test('v2 hooks key children by namespace/name: the Deployment is still found', async (t) => {
  const req = request({ configYAML: MINIMAL_CONFIG }, { children: { 'Deployment.apps/v1': { 'ns1/reg-api': observedDeployment('reg-api', { readyReplicas: 1 }) } } })
  const { response } = sync(req, S, NOW)
  t.equal(response.status['phase'], 'Ready')
  t.same(Object.keys(response).sort(), ['children', 'status'], 'only keys a strict (v2) decoder accepts')
})

t.test("the image's server version chooses the config rules; an unknown one gets structural checks only", async (t) => {
  const timeout = MINIMAL_CONFIG.replace('  - name: k8s\n    kubernetes: {}\n', '  - name: k8s\n    api: {endpoint: https://x.example.com, timeout: 10m}\n    syncPolicy: {interval: 1h}\n')
  const condition = (image: string) => {
    const { response } = sync(request({ configYAML: timeout }), settings({ TOOLHIVE_REGISTRY_API_IMAGE: image }), NOW)
    return (response.status['conditions'] as { type: string; status: string; message: string }[]).find((c) => c.type === 'ConfigValid')
  }
  t.match(condition('ghcr.io/stacklok/thv-registry-api:v1.5.3'), { status: 'False', message: /sources\[0\]\.api\.timeout: "10m" must not exceed 5m/ }, 'v1.5 limits api.timeout')
  t.match(condition('ghcr.io/stacklok/thv-registry-api:v1.3.0'), { status: 'True', message: 'configYAML is valid: 1 source, 1 registry' }, 'v1.3.0 ignores it')
  t.match(condition('ghcr.io/stacklok/thv-registry-api:latest'), {
    status: 'True',
    message: 'configYAML is a YAML mapping; only structural checks ran: the hook does not know the rules of image ghcr.io/stacklok/thv-registry-api:latest (known: v1.3.0, v1.5.0 to v1.5.3)',
  })
})

t.test('a configYAML with an undefined alias or an alias bomb is a Failed registry naming the field, and finalize still answers (issue 7)', async (t) => {
  const undefinedAlias = MINIMAL_CONFIG.replace('user: db_app', 'user: *nope')
  const bomb = `${MINIMAL_CONFIG}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`
  for (const [what, configYAML, message] of [
    ['undefined alias', undefinedAlias, /spec\.configYAML line 10, database\.user: is an alias to an anchor defined nowhere before it \(\*nope\)/],
    ['alias bomb', bomb, /spec\.configYAML: is not valid YAML \(more than 100 aliases are expanded; write the values out\)/],
  ] as const) {
    const { response } = sync(request({ configYAML }), S, NOW)
    t.equal(response.status['phase'], 'Failed', what)
    t.match((response.status['conditions'] as { type: string; status: string; message: string }[]).find((c) => c.type === 'ConfigValid'), { status: 'False', message }, what)
    const finalizing = sync({ ...request({ configYAML }), finalizing: true }, S, NOW).response
    t.same([finalizing.finalized, finalizing.children], [true, []], `${what}: finalize answers, so the registry can be deleted`)
  }
})

t.test('a pod security violation is counted as PodSecurityViolation; a valid spec is not counted', async (t) => {
  const spec = { configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', securityContext: { privileged: true } }] } } }
  t.same(sync(request(spec), S, NOW).outcome, { phase: 'Failed', validationFailure: 'PodSecurityViolation' })
})

t.test('without last-applied, every server-set metadata field is dropped from a kept child', async (t) => {
  const obs = observedDeployment('reg-api', { readyReplicas: 1 })
  Object.assign(obs.metadata, {
    uid: 'u',
    resourceVersion: '7',
    generation: 3,
    creationTimestamp: '2026-11-01T00:00:00Z',
    deletionTimestamp: '2026-11-02T00:00:00Z',
    deletionGracePeriodSeconds: 30,
    managedFields: [],
    selfLink: '/apis/apps/v1/namespaces/ns1/deployments/reg-api',
    ownerReferences: [],
    labels: { app: 'x' },
  })
  t.same(asLastApplied('Deployment.apps/v1', obs, OWNER), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1', labels: { app: 'x' } }, spec: {} })
})

t.test('an annotation of another kind in the same apiVersion is not trusted', async (t) => {
  const obs = observedDeployment('reg-api', {})
  obs.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'reg-api', namespace: 'ns1' }, spec: { replicas: 9 } }) }
  t.same(keepObserved({ 'Deployment.apps/v1': { 'reg-api': obs } }, OWNER), [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1' }, spec: {} }])
})

t.test('the fallback of a finalize says why, with Ready=False Terminating', async (t) => {
  const message = 'MCPRegistry is being deleted; its children are removed with it'
  t.same(syncFallback(request({}, { finalizing: true }), NOW), {
    response: {
      status: { phase: 'Terminating', message, readyReplicas: 0, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-22T10:00:00Z', reason: 'Terminating', message }] },
      children: [],
      finalized: true,
    },
    outcome: { phase: 'Terminating' },
  })
})

t.test('customize ignores a volume without a name', async (t) => {
  t.same(customize({ parent: { metadata: { name: 'r', namespace: 'ns1' }, spec: { volumes: [{ configMap: { name: 'c' } }] } } }), { relatedResources: [] })
})
