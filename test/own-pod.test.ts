/** The hook's own pod parts, the names they reserve, and the one field-path formatter. */
import t from 'tap'
import { fieldPath, pointerParts } from '../src/basics/field-path.js'
import { reservedNames } from '../src/basics/own-pod.js'
import { defaultPodTemplate } from '../src/children/podtemplate.js'
import { validate } from '../src/validation/spec.js'
import { MINIMAL_CONFIG } from './fixtures/helpers.js'

function template(pgpass: boolean) {
  return defaultPodTemplate({
    spec: { configYAML: MINIMAL_CONFIG, ...(pgpass ? { pgpassSecretRef: { name: 'pg', key: 'k' } } : {}) },
    volumes: [{ name: 'user-volume', emptyDir: {} }],
    volumeMounts: [{ name: 'user-volume', mountPath: '/user' }],
    image: 'img',
    pgpassInitImage: 'init',
    serviceAccountName: 'sa',
    configMapName: 'cm',
    labels: {},
    annotations: {},
    imagePullSecrets: [],
  })
}

t.test('the reserved names are exactly what the default pod template adds beside the user\'s', async (t) => {
  for (const pgpass of [false, true]) {
    const spec = template(pgpass).spec
    const reserved = reservedNames(pgpass)
    t.same([...reserved.volumes.keys()].sort(), (spec.volumes ?? []).map((v) => v.name).filter((n) => n !== 'user-volume').sort(), `volumes, pgpass ${pgpass}`)
    const mounts = spec.containers[0]?.volumeMounts ?? []
    t.same([...reserved.mountPaths.keys()].sort(), mounts.map((m) => m.mountPath).filter((p) => p !== '/user').sort(), `mount paths, pgpass ${pgpass}`)
    t.same([...reserved.initContainers].sort(), (spec.initContainers ?? []).map((c) => c.name).sort(), `init containers, pgpass ${pgpass}`)
  }
  t.same([...reservedNames(true).volumes.keys()].sort(), ['pgpass', 'pgpass-secret', 'registry-api-tmp', 'registry-server-config'])
})

t.test('validation refuses every reserved volume name with its purpose', async (t) => {
  for (const [name, purpose] of reservedNames(true).volumes) {
    const v = validate('r', { configYAML: MINIMAL_CONFIG, pgpassSecretRef: { name: 'pg', key: 'k' }, volumes: [{ name, emptyDir: {} }] })
    t.match(v.issues[0], { field: 'spec.volumes[0].name', message: `volume name '${name}' is reserved by the hook for ${purpose}; rename the volume` })
  }
})

t.test('one field-path formatter', async (t) => {
  t.equal(fieldPath('spec', ['volumes', 0, 'name']), 'spec.volumes[0].name')
  t.equal(fieldPath('', ['sources', 1, 'file']), 'sources[1].file')
  t.equal(fieldPath('', []), '')
  t.equal(fieldPath('spec', []), 'spec')
  t.same(pointerParts('/a~1b/0/c~0d/12x'), ['a/b', 0, 'c~d', '12x'])
  t.same(pointerParts(''), [])
})
