/**
 * The children as a specification: for a registry with pgpass and a NetworkPolicy, every child is written out
 * whole, as a reader would check it against upstream (U§2, U§3) without opening a snapshot. Hash values are
 * the only opaque parts; test/hook.test.ts pins what changes them.
 */
import t from 'tap'
import { configMap, deployment, desiredChildren, networkPolicy, role, roleBinding, service, serviceAccount } from '../src/children/children.js'
import { validate } from '../src/validation/spec.js'
import { MINIMAL_CONFIG, settings } from './fixtures/helpers.js'

const parsed = validate('reg', { configYAML: MINIMAL_CONFIG, pgpassSecretRef: { name: 'pg', key: 'pass' }, networkPolicy: { enabled: true } }).parsed
if (parsed === undefined) throw new Error('the spec under test must be valid')
const registry = { name: 'reg', namespace: 'ns1', parsed }
const S = settings({ TOOLHIVE_REGISTRY_API_IMAGE: 'registry.example.com/thv-registry-api:v9', PGPASS_INIT_IMAGE: 'registry.example.com/busybox:1' })

const labels = (name: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': 'registry-api',
  'app.kubernetes.io/managed-by': 'toolhive-operator',
  'toolhive.stacklok.io/registry-name': 'reg',
})
const selector = { 'app.kubernetes.io/name': 'reg-api', 'app.kubernetes.io/component': 'registry-api' }
const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }
const read = ['get', 'list', 'watch']
const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']

t.test('ConfigMap: config.yaml as given, with its checksum', async (t) => {
  t.same(configMap(registry), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'reg-registry-server-config', namespace: 'ns1', annotations: { 'toolhive.stacklok.dev/content-checksum': 'd03167fb7722d2e2' } },
    data: { 'config.yaml': MINIMAL_CONFIG },
  })
})

t.test('ServiceAccount, Role and RoleBinding: upstream\'s names and rules', async (t) => {
  t.same(serviceAccount(registry, settings()), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'reg-registry-api', namespace: 'ns1', labels: labels('reg-registry-api') },
  })
  t.same(role(registry), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reg-registry-api', namespace: 'ns1', labels: labels('reg-registry-api') },
    rules: [
      { apiGroups: ['toolhive.stacklok.dev'], resources: ['mcpservers', 'mcpremoteproxies', 'virtualmcpservers'], verbs: read },
      { apiGroups: [''], resources: ['services'], verbs: read },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'gateways'], verbs: read },
      { apiGroups: [''], resources: ['configmaps'], verbs: all },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: all },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ],
  })
  t.same(roleBinding(registry), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reg-registry-api', namespace: 'ns1', labels: labels('reg-registry-api') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reg-registry-api' },
    subjects: [{ kind: 'ServiceAccount', name: 'reg-registry-api', namespace: 'ns1' }],
  })
})

t.test('Deployment: the registry-api pod, hardened, with the pgpass init copy and no replicas', async (t) => {
  t.same(deployment(registry, S), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reg-api', namespace: 'ns1', labels: labels('reg-api') },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labels('reg-api'), annotations: { 'toolhive.stacklok.dev/config-hash': 'a531bc68228d55d4' } },
        spec: {
          serviceAccountName: 'reg-registry-api',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [
            {
              name: 'setup-pgpass',
              image: 'registry.example.com/busybox:1',
              command: ['sh', '-c', 'cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass'],
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
              securityContext: hardened,
              volumeMounts: [
                { name: 'pgpass-secret', mountPath: '/secret', readOnly: true },
                { name: 'pgpass', mountPath: '/pgpass' },
              ],
            },
          ],
          containers: [
            {
              name: 'registry-api',
              image: 'registry.example.com/thv-registry-api:v9',
              args: ['serve', '--config=/config/config.yaml'],
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
              livenessProbe: { httpGet: { path: '/health', port: 8081 }, initialDelaySeconds: 30, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readiness', port: 8081 }, initialDelaySeconds: 5, periodSeconds: 5 },
              securityContext: hardened,
              volumeMounts: [
                { name: 'registry-server-config', mountPath: '/config', readOnly: true },
                { name: 'pgpass', mountPath: '/home/appuser/.pgpass', subPath: '.pgpass', readOnly: true },
                { name: 'registry-api-tmp', mountPath: '/tmp' },
              ],
              env: [{ name: 'PGPASSFILE', value: '/home/appuser/.pgpass' }],
            },
          ],
          volumes: [
            { name: 'registry-server-config', configMap: { name: 'reg-registry-server-config' } },
            { name: 'pgpass-secret', secret: { secretName: 'pg', items: [{ key: 'pass', path: '.pgpass' }] } },
            { name: 'pgpass', emptyDir: {} },
            { name: 'registry-api-tmp', emptyDir: {} },
          ],
        },
      },
    },
  })
})

t.test('Service and NetworkPolicy: port 8080, admitted from the same namespace only', async (t) => {
  t.same(service(registry), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'reg-api', namespace: 'ns1', labels: labels('reg-api') },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }] },
  })
  t.same(networkPolicy(registry), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'reg-api', namespace: 'ns1', labels: labels('reg-api') },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    },
  })
})

t.test('desiredChildren: every child once, in the order Metacontroller applies them', async (t) => {
  t.same(
    desiredChildren(registry, S).map((c) => `${c.kind}/${c.metadata.name}`),
    ['ConfigMap/reg-registry-server-config', 'ServiceAccount/reg-registry-api', 'Role/reg-registry-api', 'RoleBinding/reg-registry-api', 'Deployment/reg-api', 'Service/reg-api', 'NetworkPolicy/reg-api'],
  )
})
