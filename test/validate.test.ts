/**
 * Spec checks (U§5.2 and the CRD schema): each names the field and says what to change. A table, so that
 * every row of upstream's validation is visibly covered.
 */
import t from 'tap'
import { summarise } from '../src/validation/issues.js'
import { validate } from '../src/validation/spec.js'
import { MINIMAL_CONFIG } from './fixtures/helpers.js'

const base = { configYAML: MINIMAL_CONFIG }
const check = (spec: unknown, name = 'reg') => validate(name, spec)
const messages = (spec: unknown, name?: string) => check(spec, name).issues.map((i) => `${i.field}: ${i.message}`)

t.test('a valid spec has no issues and is parsed', async (t) => {
  const v = check(base)
  t.same(v.issues, [])
  t.same(v.parsed?.volumes, [])
  t.same(v.parsed?.config, { sources: 1, registries: 1, fileSources: [] })
})

const rows: [string, unknown, RegExp, string?][] = [
  ['spec missing', undefined, /^spec: is missing or not an object; give at least spec\.configYAML$/],
  ['spec not an object', [1], /^spec: is missing/],
  ['configYAML missing', {}, /^spec: configYAML is required; add it$/],
  ['configYAML empty', { configYAML: '' }, /^spec\.configYAML: must not be empty; give a value$/],
  ['a pod template env var with an empty name', { ...base, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', env: [{ name: '' }] }] } } }, /^spec\.podTemplateSpec\.spec\.containers\[0\]\.env\[0\]\.name: must not be empty; give a value$/],
  ['a pull secret with an empty name', { ...base, podTemplateSpec: { spec: { imagePullSecrets: [{ name: '' }] } } }, /^spec\.podTemplateSpec\.spec\.imagePullSecrets\[0\]\.name: must not be empty; give a value$/],
  ['wrong type', { ...base, displayName: 3 }, /^spec\.displayName: must be string/],
  ['volume not an object', { ...base, volumes: ['x'] }, /^spec\.volumes\[0\]: must be object/],
  ['volume without name', { ...base, volumes: [{ emptyDir: {} }] }, /^spec\.volumes\[0\]: name is required; add it$/],
  ['volumeMount without mountPath', { ...base, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a' }] }, /^spec\.volumeMounts\[0\]: mountPath is required/],
  ['volumeMount with a relative path', { ...base, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: 'data' }] }, /^spec\.volumeMounts\[0\]\.mountPath: must match/],
  ['reserved config volume name', { ...base, volumes: [{ name: 'registry-server-config', emptyDir: {} }] }, /^spec\.volumes\[0\]\.name: volume name 'registry-server-config' is reserved by the hook for the config\.yaml volume; rename the volume$/],
  ['reserved tmp volume name', { ...base, volumes: [{ name: 'registry-api-tmp', emptyDir: {} }] }, /reserved by the hook for the writable \/tmp/],
  ['reserved pgpass volume names with pgpass', { ...base, pgpassSecretRef: { name: 's', key: 'k' }, volumes: [{ name: 'pgpass', emptyDir: {} }] }, /volume name 'pgpass' is reserved by the hook for the pgpass emptyDir/],
  ['reserved names in podTemplateSpec volumes', { ...base, pgpassSecretRef: { name: 's', key: 'k' }, podTemplateSpec: { spec: { volumes: [{ name: 'pgpass-secret', emptyDir: {} }] } } }, /^spec\.podTemplateSpec\.spec\.volumes\[0\]\.name: volume name 'pgpass-secret' is reserved by the hook for the pgpass Secret volume; rename the volume$/],
  ['duplicate volume name', { ...base, volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }] }, /^spec\.volumes\[1\]\.name: volume name 'a' is used twice/],
  ['invalid volume name', { ...base, volumes: [{ name: 'Data_1', emptyDir: {} }] }, /'Data_1' is not a valid volume name/],
  ['volume name of 64 characters', { ...base, volumes: [{ name: 'v'.repeat(64), emptyDir: {} }] }, /^spec\.volumes\[0\]\.name: 'v{64}' is not a valid volume name \(a DNS label: lower-case letters, digits and '-', at most 63 characters\); rename it$/],
  ['podTemplateSpec volume name of 64 characters', { ...base, podTemplateSpec: { spec: { volumes: [{ name: 'v'.repeat(64), emptyDir: {} }] } } }, /^spec\.podTemplateSpec\.spec\.volumes\[0\]\.name: 'v{64}' is not a valid volume name/],
  ['setup-pgpass init container with pgpass', { ...base, pgpassSecretRef: { name: 's', key: 'k' }, podTemplateSpec: { spec: { initContainers: [{ name: 'setup-pgpass' }] } } }, /^spec\.podTemplateSpec\.spec\.initContainers\[0\]\.name: init container name 'setup-pgpass' is reserved by the hook when pgpassSecretRef is set; rename it$/],
  ['mount at /config', { ...base, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/config' }] }, /^spec\.volumeMounts\[0\]\.mountPath: duplicate mount path '\/config' \(already used by the config\.yaml mount\); choose another path$/],
  ['mount at /tmp', { ...base, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/tmp' }] }, /^spec\.volumeMounts\[0\]\.mountPath: duplicate mount path '\/tmp' \(already used by the writable \/tmp\); choose another path$/],
  ['mount at the pgpass path', { ...base, pgpassSecretRef: { name: 's', key: 'k' }, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/home/appuser/.pgpass' }] }, /duplicate mount path '\/home\/appuser\/\.pgpass' \(already used by the pgpass file\)/],
  ['two mounts at one path', { ...base, volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/d' }, { name: 'b', mountPath: '/d' }] }, /^spec\.volumeMounts\[1\]\.mountPath: duplicate mount path '\/d' \(already used by spec\.volumeMounts\[0\]\)/],
  ['podTemplateSpec mount colliding with spec.volumeMounts', { ...base, volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/d' }], podTemplateSpec: { spec: { containers: [{ name: 'registry-api', volumeMounts: [{ name: 'a', mountPath: '/d' }] }] } } }, /^spec\.podTemplateSpec\.spec\.containers\[0\]\.volumeMounts\[0\]\.mountPath: duplicate mount path '\/d'/],
  ['mount of an unknown volume', { ...base, volumeMounts: [{ name: 'ghost', mountPath: '/g' }] }, /^spec\.volumeMounts\[0\]\.name: mounts volume 'ghost', which no volume defines; add it to spec\.volumes or fix the name$/],
  ['pgpassSecretRef without name', { ...base, pgpassSecretRef: { key: '.pgpass' } }, /^spec\.pgpassSecretRef\.name: is required; name the Secret that holds the pgpass file$/],
  ['pgpassSecretRef with empty key', { ...base, pgpassSecretRef: { name: 's', key: '' } }, /^spec\.pgpassSecretRef\.key: is required/],
  ['podTemplateSpec with a wrong type', { ...base, podTemplateSpec: { spec: { containers: 'invalid' } } }, /^spec\.podTemplateSpec\.spec\.containers: must be array/],
  ['podTemplateSpec container without a name', { ...base, podTemplateSpec: { spec: { containers: [{ image: 'x' }] } } }, /^spec\.podTemplateSpec\.spec\.containers\[0\]: name is required/],
  ['podTemplateSpec labels not strings', { ...base, podTemplateSpec: { metadata: { labels: { a: 1 } } } }, /^spec\.podTemplateSpec\.metadata\.labels\.a: must be string/],
  ['a resource quantity that is not one', { ...base, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', resources: { limits: { memory: '1GB' } } }] } } }, /^spec\.podTemplateSpec\.spec\.containers\[0\]\.resources\.limits\.memory: "1GB" is not a Kubernetes quantity; write it like 500m, 2, 128Mi or 1Gi$/],
  ['an emptyDir sizeLimit that is not a quantity', { ...base, volumes: [{ name: 'scratch', emptyDir: { sizeLimit: 'big' } }] }, /^spec\.volumes\[0\]\.emptyDir\.sizeLimit: "big" is not a Kubernetes quantity/],
  ['networkPolicy peer naming nothing', { ...base, networkPolicy: { enabled: true, from: [{}] } }, /^spec\.networkPolicy\.from\[0\]: names no peer; give podSelector, namespaceSelector or ipBlock$/],
  ['networkPolicy ipBlock without cidr', { ...base, networkPolicy: { enabled: true, from: [{ ipBlock: {} }] } }, /^spec\.networkPolicy\.from\[0\]\.ipBlock: cidr is required/],
]
for (const [name, spec, pattern, registry] of rows) {
  t.test(name, async (t) => {
    const v = check(spec, registry)
    t.equal(v.parsed, undefined, 'nothing is parsed from an invalid spec')
    t.ok(messages(spec, registry).some((m) => pattern.test(m)), `one issue matches ${pattern}: ${JSON.stringify(messages(spec, registry))}`)
  })
}

t.test('names that cannot name the children', async (t) => {
  for (const name of ['a'.repeat(51), '1abc', 'my.registry']) {
    t.match(messages(base, name)[0], /^metadata\.name: ".*" cannot name the children: .* at most 50 characters/)
  }
  t.same(messages(base, 'a'.repeat(50)), [], '50 characters fit: <name>-registry-api is 63')
})

t.test('the podTemplateSpec issues are reported apart for PodTemplateValid', async (t) => {
  const v = check({ ...base, podTemplateSpec: { spec: { containers: 'x' } } })
  t.equal(v.podTemplateIssues?.length, 1)
  t.equal(check(base).podTemplateIssues, undefined, 'absent without a podTemplateSpec')
  t.same(check({ ...base, podTemplateSpec: {} }).podTemplateIssues, [])
})

t.test('the summary names the first problem and counts the others', async (t) => {
  t.equal(summarise([{ field: 'a', message: 'x' }]), 'a: x')
  t.equal(summarise([{ field: 'a', message: 'x' }, { field: 'b', message: 'y' }]), 'a: x (and 1 more problem)')
  t.equal(summarise([{ field: 'a', message: 'x' }, { field: 'b', message: 'y' }, { field: 'c', message: 'z' }]), 'a: x (and 2 more problems)')
})

t.test('file paths may come from mounts given in podTemplateSpec', async (t) => {
  const config = MINIMAL_CONFIG.replace('kubernetes: {}', 'file: {path: /data/r.json}\n    syncPolicy: {interval: 1h}')
  const spec = { configYAML: config, podTemplateSpec: { spec: { volumes: [{ name: 'd', emptyDir: {} }], containers: [{ name: 'registry-api', volumeMounts: [{ name: 'd', mountPath: '/data' }] }] } } }
  t.same(messages(spec), [])
})
