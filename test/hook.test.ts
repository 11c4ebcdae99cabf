/**
 * The pure core: nothing lost on a bad spec, finalize, customize, determinism, and the shape Metacontroller
 * needs (every child with apiVersion, kind, name; no replicas; no nulls).
 */
import t from 'tap'
import { asLastApplied, customize, keepObserved, serialise, sync } from '../src/hook.js'
import { LAST_APPLIED_ANNOTATION } from '../src/constants.js'
import type { SyncRequest } from '../src/schema/hook.js'
import { child, exampleRequest, MINIMAL_CONFIG, NOW, observedDeployment, request, settings } from './fixtures/helpers.js'

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
  const kept = asLastApplied('Deployment.apps/v1', obs)
  t.same(kept, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api', namespace: 'ns1', annotations: { 'team/owner': 'a' } }, spec: {} })
  const bare = { metadata: { name: 'x', annotations: { [LAST_APPLIED_ANNOTATION]: '[]' } } }
  t.same(asLastApplied('ConfigMap.v1', bare), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'apiVersion and kind from the type key')
  t.same(asLastApplied('ConfigMap.v1', { metadata: { name: 'y' } }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } })
})

t.test('kept children come in a stable order: declared types first, then others, each by name', async (t) => {
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })
  const order = keepObserved({
    'Widget.example.com/v1': { w: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } },
    'Gadget.example.com/v1': { g: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } } },
    'Service.v1': { s: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } } },
    'ConfigMap.v1': { b: cm('b'), a: cm('a') },
  }).map((c) => `${c['kind']}/${(c['metadata'] as { name: string }).name}`)
  t.same(order, ['ConfigMap/a', 'ConfigMap/b', 'Service/s', 'Gadget/g', 'Widget/w'])
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
