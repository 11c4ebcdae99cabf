/**
 * The shipped artefacts agree with the code: the CompositeController lists every child type the hook
 * returns (with an update strategy that reaches existing children) and points at routes that exist; the
 * RBAC covers every child; the kustomize base and the Dockerfile keep their promises.
 */
import { readdirSync } from 'node:fs'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { buildApp } from '../src/http/app.js'
import { CHILD_TYPES, REGISTRY_API_RULES } from '../src/basics/constants.js'
import { MINIMAL_CONFIG, readText, request, settings } from './fixtures/helpers.js'

type Obj = Record<string, any>
const docs = (rel: string): Obj[] => parseAllDocuments(readText(rel)).map((d) => (d as { toJS(): Obj }).toJS())
const cc = docs('metacontroller/compositecontroller.yaml')[0] as Obj
const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps', ServiceAccount: 'serviceaccounts', Role: 'roles', RoleBinding: 'rolebindings',
  Deployment: 'deployments', Service: 'services', NetworkPolicy: 'networkpolicies',
}

t.test('the CompositeController lists every child type, InPlace, with a generated selector', async (t) => {
  t.equal(cc['spec']['generateSelector'], true)
  t.same(cc['spec']['parentResource'], { apiVersion: 'toolhive.stacklok.dev/v1beta1', resource: 'mcpregistries' })
  const listed = (cc['spec']['childResources'] as Obj[]).map((c) => `${c['apiVersion']}/${c['resource']}`)
  const expected = Object.entries(CHILD_TYPES).map(([kind, key]) => `${key.slice(key.indexOf('.') + 1)}/${PLURALS[kind]}`)
  t.same(listed, expected, 'same apiVersion strings as the hook emits, or Metacontroller deletes and recreates')
  for (const c of cc['spec']['childResources']) t.equal(c['updateStrategy']['method'], 'InPlace', `${c['resource']}: spec changes reach existing children`)
})

t.test('its hooks point at the hook Service and at routes that answer', async (t) => {
  const svc = docs('manifests/service.yaml')[0] as Obj
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  for (const [hook, route] of [['sync', '/sync'], ['finalize', '/finalize'], ['customize', '/customize']]) {
    const webhook = cc['spec']['hooks'][hook as string]['webhook']
    t.match(webhook, { service: { name: svc['metadata']['name'], namespace: 'mcpregistry-hook', port: svc['spec']['ports'][0]['port'] }, path: route })
    const res = await app.inject({ method: 'POST', url: route as string, payload: request({ configYAML: MINIMAL_CONFIG }) })
    t.equal(res.statusCode, 200, `${route} answers`)
  }
})

t.test('ETag mode is on for sync and finalize, with both cache durations set', async (t) => {
  for (const hook of ['sync', 'finalize']) {
    const etag = cc['spec']['hooks'][hook]['webhook']['etag']
    t.equal(etag['enabled'], true, `${hook}: enabled`)
    // v4.17.2 reads cacheCleanupSeconds whenever cacheTimeoutSeconds is set (a nil pointer otherwise)
    t.ok(Number.isInteger(etag['cacheTimeoutSeconds']) && etag['cacheTimeoutSeconds'] > 0, `${hook}: cacheTimeoutSeconds`)
    t.ok(Number.isInteger(etag['cacheCleanupSeconds']) && etag['cacheCleanupSeconds'] > 0, `${hook}: cacheCleanupSeconds`)
    t.ok(etag['cacheTimeoutSeconds'] > 1800, `${hook}: entries outlive the 30-minute informer resync, so it is answered 304`)
  }
  t.equal(cc['spec']['hooks']['customize']['webhook']['etag'], undefined, 'customize answers are cached by Metacontroller per generation already')
})

t.test('the RBAC covers Metacontroller\'s own types, the parent, its status and finalizers, every child, escalate and bind', async (t) => {
  const [role, binding] = docs('metacontroller/rbac.yaml') as [Obj, Obj]
  const allows = (group: string, resource: string, verb: string) =>
    (role['rules'] as Obj[]).some((r) => r['apiGroups'].includes(group) && r['resources'].includes(resource) && r['verbs'].includes(verb))
  for (const verb of ['get', 'list', 'watch', 'update']) t.ok(allows('toolhive.stacklok.dev', 'mcpregistries', verb), `mcpregistries ${verb}`)
  t.ok(allows('toolhive.stacklok.dev', 'mcpregistries/status', 'update'))
  t.ok(allows('toolhive.stacklok.dev', 'mcpregistries/finalizers', 'update'))
  for (const c of cc['spec']['childResources'] as Obj[]) {
    const group = String(c['apiVersion']).includes('/') ? String(c['apiVersion']).split('/')[0] as string : ''
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) t.ok(allows(group, c['resource'], verb), `${c['resource']} ${verb}`)
  }
  for (const verb of ['get', 'list', 'watch']) t.ok(allows('', 'namespaces', verb), `namespaces ${verb}: Metacontroller's informers read the registries' namespaces`)
  t.ok(allows('rbac.authorization.k8s.io', 'roles', 'escalate'), 'escalate: the registry Role grants what Metacontroller does not hold')
  t.ok(allows('rbac.authorization.k8s.io', 'roles', 'bind'), 'bind: the RoleBinding references that Role')
  for (const resource of ['compositecontrollers', 'decoratorcontrollers', 'controllerrevisions']) {
    for (const verb of ['get', 'list', 'watch']) t.ok(allows('metacontroller.k8s.io', resource, verb), `${resource} ${verb}: Metacontroller does not start without it`)
  }
  t.same(binding['subjects'], [{ kind: 'ServiceAccount', name: 'metacontroller', namespace: 'metacontroller' }])
  t.equal(REGISTRY_API_RULES.length, 6)
})

t.test('the kustomize base holds every manifest and keeps its promises', async (t) => {
  const kustomization = docs('manifests/kustomization.yaml')[0] as Obj
  const files = readdirSync(new URL('../manifests/', import.meta.url), { withFileTypes: true })
    .filter((f) => f.isFile() && f.name !== 'kustomization.yaml')
    .map((f) => f.name)
    .sort()
  t.same([...kustomization['resources']].sort(), files, 'every file in manifests/ is a resource (manifests/monitoring/ is a kustomization of its own)')
  const dep = docs('manifests/deployment.yaml')[0] as Obj
  t.equal(dep['spec']['replicas'], 2)
  const pod = dep['spec']['template']['spec']
  t.match(pod['securityContext'], { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
  const c = pod['containers'][0]
  t.match(c['securityContext'], { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  t.ok(c['readinessProbe']['httpGet']['path'] === '/readyz' && c['livenessProbe']['httpGet']['path'] === '/healthz')
  t.ok(c['resources']['requests'] && c['resources']['limits'])
  t.match(docs('manifests/poddisruptionbudget.yaml')[0], { spec: { minAvailable: 1 } })
  const np = docs('manifests/networkpolicy.yaml')[0] as Obj
  t.same(np['spec']['ingress'][0]['from'], [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' } } }])
})

t.test('the Dockerfile: multi-stage, production dependencies only, non-root, node dist/server.js', async (t) => {
  const text = readText('Dockerfile')
  t.equal(text.match(/^FROM /gm)?.length, 2)
  t.match(text, /npm ci --omit=dev/)
  t.match(text, /COPY --from=build \/app\/dist \.\/dist/)
  t.match(text, /^USER [1-9]\d*:[1-9]\d*$/m, 'a numeric non-root user, so runAsNonRoot can verify it')
  t.match(text, /^ENTRYPOINT \["node", "dist\/server\.js"\]$/m)
})
