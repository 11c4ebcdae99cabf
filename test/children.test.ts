/** Child builders: upstream's names, labels, ports, RBAC; the podTemplateSpec merge (U§3.1); NetworkPolicy. */
import t from 'tap'
import { desiredChildren, networkPolicy } from '../src/children/children.js'
import { pruneForApply } from '../src/basics/json.js'
import { validate } from '../src/validation/spec.js'
import { child, MINIMAL_CONFIG, settings } from './fixtures/helpers.js'

const S = settings({ TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'org-default,shared' })
function render(spec: Record<string, unknown>, name = 'reg') {
  const v = validate(name, { configYAML: MINIMAL_CONFIG, ...spec })
  if (v.parsed === undefined) throw new Error(JSON.stringify(v.issues))
  return desiredChildren({ name, namespace: 'ns1', parsed: v.parsed }, S) as unknown as Record<string, any>[]
}
const podSpec = (children: Record<string, any>[]) => child(children, 'Deployment')['spec']['template']['spec']
const api = (children: Record<string, any>[]) => podSpec(children).containers.find((c: any) => c.name === 'registry-api')

t.test('labels, selector and names as upstream', async (t) => {
  const c = render({})
  t.same(child(c, 'Service')['metadata'].labels, {
    'app.kubernetes.io/name': 'reg-api',
    'app.kubernetes.io/component': 'registry-api',
    'app.kubernetes.io/managed-by': 'toolhive-operator',
    'toolhive.stacklok.io/registry-name': 'reg',
  })
  t.same(child(c, 'Deployment')['spec'].selector, { matchLabels: { 'app.kubernetes.io/name': 'reg-api', 'app.kubernetes.io/component': 'registry-api' } })
  t.same(child(c, 'Service')['spec'], {
    type: 'ClusterIP',
    selector: { 'app.kubernetes.io/name': 'reg-api', 'app.kubernetes.io/component': 'registry-api' },
    ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
  })
  t.notOk('labels' in child(c, 'ConfigMap')['metadata'], 'the config ConfigMap carries no labels, as upstream')
  t.same(child(c, 'RoleBinding')['subjects'], [{ kind: 'ServiceAccount', name: 'reg-registry-api', namespace: 'ns1' }])
  t.same(child(c, 'RoleBinding')['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reg-registry-api' })
  t.equal(child(c, 'Role')['rules'].length, 6)
  t.equal(podSpec(c).serviceAccountName, 'reg-registry-api')
})

t.test('image pull secrets: spec first, then the defaults, on both the pod and the ServiceAccount', async (t) => {
  const c = render({ imagePullSecrets: [{ name: 'mine' }, { name: 'shared' }, { name: '' }, {}] })
  const expected = [{ name: 'mine' }, { name: 'shared' }, { name: 'org-default' }]
  t.same(podSpec(c).imagePullSecrets, expected)
  t.same(child(c, 'ServiceAccount')['imagePullSecrets'], expected)
  const none = desiredChildren({ name: 'r', namespace: 'ns1', parsed: validate('r', { configYAML: MINIMAL_CONFIG }).parsed! }, settings()) as any[]
  t.notOk('imagePullSecrets' in child(none, 'ServiceAccount'), 'an empty list leaves the ServiceAccount\'s own pull secrets alone')
  t.notOk('imagePullSecrets' in podSpec(none))
})

t.test('podTemplateSpec imagePullSecrets replace the default list on the pod only', async (t) => {
  const c = render({ imagePullSecrets: [{ name: 'mine' }], podTemplateSpec: { spec: { imagePullSecrets: [{ name: 'tmpl' }] } } })
  t.same(podSpec(c).imagePullSecrets, [{ name: 'tmpl' }])
  t.same(child(c, 'ServiceAccount')['imagePullSecrets'], [{ name: 'mine' }, { name: 'org-default' }, { name: 'shared' }])
})

t.test('user-first merge of the registry-api container', async (t) => {
  const c = render({
    podTemplateSpec: {
      metadata: { labels: { team: 'a', 'app.kubernetes.io/managed-by': 'me' }, annotations: { note: 'x' } },
      spec: {
        serviceAccountName: 'custom-sa',
        securityContext: { runAsUser: 1234 },
        containers: [
          { name: 'sidecar', image: 'busybox' },
          {
            name: 'registry-api',
            image: 'mine:1',
            args: ['serve', '--config=/config/config.yaml', '--address=:9090'],
            env: [{ name: 'A', value: '1' }],
            ports: [{ name: 'metrics', containerPort: 9090 }, { name: 'alt', containerPort: 8080 }],
            resources: { requests: {}, limits: {} },
            securityContext: { readOnlyRootFilesystem: false },
            volumeMounts: [{ name: 'extra', mountPath: '/extra' }],
          },
        ],
        volumes: [{ name: 'extra', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  })
  const spec = podSpec(c)
  t.same(spec.containers.map((x: any) => x.name), ['sidecar', 'registry-api'], 'user containers first, in their order')
  const main = api(c)
  t.equal(main.image, 'mine:1', 'user image wins')
  t.same(main.args, ['serve', '--config=/config/config.yaml', '--address=:9090'])
  t.same(main.env, [{ name: 'A', value: '1' }])
  t.same(main.ports, [{ name: 'metrics', containerPort: 9090 }, { name: 'alt', containerPort: 8080 }], 'the default port is not added twice')
  t.same(main.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } }, 'empty resources take the defaults')
  t.same(main.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } }, 'the user\'s field wins, the rest of the hardening stays')
  t.same(main.volumeMounts.map((m: any) => m.mountPath), ['/extra', '/config', '/tmp'])
  t.equal(main.livenessProbe.httpGet.port, 8081, 'probes filled from the defaults')
  t.equal(spec.serviceAccountName, 'custom-sa')
  t.same(spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 1234 }, 'merged field by field')
  t.same(spec.containers[0].securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, 'a sidecar is hardened too')
  t.same(spec.volumes.map((v: any) => v.name), ['extra', 'registry-server-config', 'registry-api-tmp'])
  t.same(spec.tolerations, [{ key: 'k', operator: 'Exists' }])
  const meta = child(c, 'Deployment')['spec']['template']['metadata']
  t.equal(meta.labels.team, 'a')
  t.equal(meta.labels['app.kubernetes.io/managed-by'], 'me', 'user labels win on collision')
  t.equal(meta.annotations.note, 'x')
  t.match(meta.annotations['toolhive.stacklok.dev/config-hash'], /^[0-9a-f]{16}$/)
  t.match(child(c, 'Deployment')['metadata'].annotations['toolhive.stacklok.io/podtemplatespec-hash'], /^[0-9a-f]{64}$/)
})

t.test('a podTemplateSpec without containers keeps the default container and hardening', async (t) => {
  const c = render({ podTemplateSpec: { spec: { priorityClassName: 'high', containers: [{ name: 'registry-api', env: [{ name: 'X', value: '' }] }] } } })
  const spec = podSpec(c)
  t.equal(spec.priorityClassName, 'high')
  t.same(spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
  t.same(api(c).env, [{ name: 'X' }], 'empty strings are dropped, as the API server would')
  t.same(api(c).securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  const bare = render({ podTemplateSpec: {} })
  t.same(podSpec(bare).containers.map((x: any) => x.name), ['registry-api'])
  t.notOk('env' in api(bare), 'no empty lists: the API server drops them')
})

t.test('quantities are written as the API server stores them', async (t) => {
  const c = render({
    volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1024Mi' } }],
    volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    podTemplateSpec: { spec: { containers: [{ name: 'registry-api', resources: { requests: { cpu: 0.5, memory: '1u' }, limits: { memory: '2048Mi' } } }] } },
  })
  t.same(api(c).resources, { requests: { cpu: '500m', memory: '1m' }, limits: { memory: '2Gi' } })
  t.same(podSpec(c).volumes.find((v: any) => v.name === 'scratch'), { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } })
})

t.test('pgpass plumbing merges with a user init container', async (t) => {
  const c = render({ pgpassSecretRef: { name: 'pg', key: 'pass' }, podTemplateSpec: { spec: { initContainers: [{ name: 'wait-db', image: 'busybox' }] } } })
  const spec = podSpec(c)
  t.same(spec.initContainers.map((x: any) => x.name), ['wait-db', 'setup-pgpass'])
  t.same(api(c).env, [{ name: 'PGPASSFILE', value: '/home/appuser/.pgpass' }])
  t.same(spec.volumes.find((v: any) => v.name === 'pgpass-secret'), { name: 'pgpass-secret', secret: { secretName: 'pg', items: [{ key: 'pass', path: '.pgpass' }] } })
})

t.test('NetworkPolicy: only when enabled, never a rule without from', async (t) => {
  t.notOk(render({}).some((c) => c['kind'] === 'NetworkPolicy'))
  t.notOk(render({ networkPolicy: { enabled: false, from: [{ podSelector: {} }] } }).some((c) => c['kind'] === 'NetworkPolicy'), 'disabling removes the child')
  const own = child(render({ networkPolicy: { enabled: true } }), 'NetworkPolicy')
  t.same(own['spec'], {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'reg-api', 'app.kubernetes.io/component': 'registry-api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  }, 'no peers: only pods of the same namespace')
  const peers = [{ namespaceSelector: { matchLabels: { team: 'gw' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }]
  const listed = child(render({ networkPolicy: { enabled: true, from: peers } }), 'NetworkPolicy')
  t.same(listed['spec'].ingress[0].from, peers)
  t.notOk(JSON.stringify(listed).includes('_from'), 'the wire name is from, never _from')
  t.same(Object.keys(networkPolicy({ name: 'r', namespace: 'n', parsed: validate('r', { configYAML: MINIMAL_CONFIG }).parsed! }).spec.ingress[0]!).sort(), ['from', 'ports'])
})

t.test('pruneForApply drops what the API server drops and keeps data', async (t) => {
  t.same(
    pruneForApply({ a: null, b: undefined, c: [], d: '', e: { data: { k: '' }, labels: { l: '' } }, f: [{ g: '' }, ''], h: {}, i: false, j: 0 }),
    { e: { data: { k: '' }, labels: { l: '' } }, f: [{}, ''], h: {}, i: false, j: 0 },
  )
})

t.test('a registry-api container in podTemplateSpec without args gets the default args', async (t) => {
  const c = render({ podTemplateSpec: { spec: { containers: [{ name: 'registry-api', image: 'mine:2' }] } } })
  t.same(api(c).args, ['serve', '--config=/config/config.yaml'])
  t.equal(api(c).image, 'mine:2')
})

t.test('volumeMounts merge by mountPath: two mounts of one volume both survive', async (t) => {
  const c = render({
    volumes: [{ name: 'data', configMap: { name: 'reg-data' } }],
    volumeMounts: [{ name: 'data', mountPath: '/data/a', subPath: 'a.json' }],
    podTemplateSpec: { spec: { containers: [{ name: 'registry-api', volumeMounts: [{ name: 'data', mountPath: '/data/b', subPath: 'b.json' }] }] } },
  })
  t.same(api(c).volumeMounts, [
    { name: 'data', mountPath: '/data/b', subPath: 'b.json' },
    { name: 'registry-server-config', mountPath: '/config', readOnly: true },
    { name: 'data', mountPath: '/data/a', subPath: 'a.json' },
    { name: 'registry-api-tmp', mountPath: '/tmp' },
  ])
})

t.test('a podTemplateSpec that names no ServiceAccount keeps the registry\'s own', async (t) => {
  const c = render({ podTemplateSpec: { spec: { priorityClassName: 'high' } } })
  t.equal(podSpec(c).serviceAccountName, 'reg-registry-api')
})
