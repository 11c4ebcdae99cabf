/**
 * The podTemplateSpec merge as the Deployment shows it (U§3.1): the user's fields win, the hook fills what the
 * user left empty, and a default item is added only when no item of the user's stands for it (ports by name or
 * number, env by name, containers and volumes by name).
 */
import t from 'tap'
import { desiredChildren } from '../src/children/children.js'
import { validate } from '../src/validation/spec.js'
import { child, MINIMAL_CONFIG, settings } from './fixtures/helpers.js'

const S = settings({ TOOLHIVE_REGISTRY_API_IMAGE: 'registry.example.com/thv-registry-api:v9', TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'org-default' })

/** The Deployment's pod spec for a registry with `spec` (configYAML added). */
function podSpec(spec: Record<string, unknown>): Record<string, any> {
  const v = validate('reg', { configYAML: MINIMAL_CONFIG, ...spec })
  if (v.parsed === undefined) throw new Error(JSON.stringify(v.issues))
  const children = desiredChildren({ name: 'reg', namespace: 'ns1', parsed: v.parsed }, S) as unknown as Record<string, unknown>[]
  return child(children, 'Deployment')['spec']['template']['spec']
}
const apiContainer = (spec: Record<string, unknown>): Record<string, any> => podSpec(spec)['containers'].find((c: { name: string }) => c.name === 'registry-api')
const withApi = (fields: Record<string, unknown>) => ({ podTemplateSpec: { spec: { containers: [{ name: 'registry-api', ...fields }] } } })

const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }
const API_PORT = { name: 'http', containerPort: 8080, protocol: 'TCP' }
const PGPASS = { pgpassSecretRef: { name: 'pg', key: 'pass' } }
/** The hook's registry-api container, written out. */
const DEFAULT_API = {
  name: 'registry-api',
  image: 'registry.example.com/thv-registry-api:v9',
  args: ['serve', '--config=/config/config.yaml'],
  ports: [API_PORT],
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  livenessProbe: { httpGet: { path: '/health', port: 8081 }, initialDelaySeconds: 30, periodSeconds: 10 },
  readinessProbe: { httpGet: { path: '/readiness', port: 8081 }, initialDelaySeconds: 5, periodSeconds: 5 },
  securityContext: hardened,
  volumeMounts: [
    { name: 'registry-server-config', mountPath: '/config', readOnly: true },
    { name: 'registry-api-tmp', mountPath: '/tmp' },
  ],
}

/** The same with pgpassSecretRef set. */
const DEFAULT_API_PGPASS = {
  ...DEFAULT_API,
  volumeMounts: [
    { name: 'registry-server-config', mountPath: '/config', readOnly: true },
    { name: 'pgpass', mountPath: '/home/appuser/.pgpass', subPath: '.pgpass', readOnly: true },
    { name: 'registry-api-tmp', mountPath: '/tmp' },
  ],
  env: [{ name: 'PGPASSFILE', value: '/home/appuser/.pgpass' }],
}

t.test('the registry-api container: what the user leaves empty is filled, what the user sets stays', async (t) => {
  const rows: [string, Record<string, unknown>, Record<string, unknown>][] = [
    // [what, the spec besides configYAML, the whole registry-api container expected]
    ['an empty image gets the hook\'s image', withApi({ image: '' }), DEFAULT_API],
    ['empty args get the hook\'s args', withApi({ args: [] }), DEFAULT_API],
    ['a port of the user\'s own: the API port is added after it', withApi({ ports: [{ name: 'metrics', containerPort: 9090 }] }), { ...DEFAULT_API, ports: [{ name: 'metrics', containerPort: 9090 }, API_PORT] }],
    ['a port named http on another number stands for the API port', withApi({ ports: [{ name: 'http', containerPort: 9090 }] }), { ...DEFAULT_API, ports: [{ name: 'http', containerPort: 9090 }] }],
    ['another port on 8080 stands for the API port', withApi({ ports: [{ name: 'alt', containerPort: 8080 }] }), { ...DEFAULT_API, ports: [{ name: 'alt', containerPort: 8080 }] }],
    ['with pgpass, the user\'s env and then PGPASSFILE', { ...PGPASS, ...withApi({ env: [{ name: 'A', value: '1' }] }) }, { ...DEFAULT_API_PGPASS, env: [{ name: 'A', value: '1' }, { name: 'PGPASSFILE', value: '/home/appuser/.pgpass' }] }],
    ['with pgpass, the user\'s own PGPASSFILE wins', { ...PGPASS, ...withApi({ env: [{ name: 'PGPASSFILE', value: '/elsewhere/.pgpass' }] }) }, { ...DEFAULT_API_PGPASS, env: [{ name: 'PGPASSFILE', value: '/elsewhere/.pgpass' }] }],
    ['as many requests as limits are the user\'s, not replaced', withApi({ resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } }), { ...DEFAULT_API, resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } }],
  ]
  for (const [what, spec, expected] of rows) t.same(apiContainer(spec), expected, what)
})

t.test('a sidecar is kept as given (hardened), and the registry-api container follows with all its defaults', async (t) => {
  const spec = podSpec({ podTemplateSpec: { spec: { containers: [{ name: 'log-shipper', image: 'busybox:1' }] } } })
  t.same(spec['containers'], [{ name: 'log-shipper', image: 'busybox:1', securityContext: hardened }, DEFAULT_API])
})

t.test('a podTemplateSpec without pull secrets, or with an empty list, keeps the registry\'s', async (t) => {
  for (const [what, template] of [
    ['no imagePullSecrets', { priorityClassName: 'high' }],
    ['an empty imagePullSecrets', { imagePullSecrets: [] }],
  ] as const) {
    t.same(podSpec({ imagePullSecrets: [{ name: 'mine' }], podTemplateSpec: { spec: template } })['imagePullSecrets'], [{ name: 'mine' }, { name: 'org-default' }], what)
  }
})

t.test('a template volume named as one of spec.volumes replaces it: one volume of that name, the template\'s', async (t) => {
  const spec = podSpec({
    volumes: [{ name: 'data', configMap: { name: 'reg-data' } }],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
    podTemplateSpec: { spec: { volumes: [{ name: 'data', emptyDir: {} }] } },
  })
  t.same(spec['volumes'], [
    { name: 'data', emptyDir: {} },
    { name: 'registry-server-config', configMap: { name: 'reg-registry-server-config' } },
    { name: 'registry-api-tmp', emptyDir: {} },
  ])
})
