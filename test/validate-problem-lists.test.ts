/**
 * Spec checks, whole lists: for a spec with broken mounts, volumes, names or peers, every problem the user is
 * told of (field and message), in order, and nothing else: no problem reported twice under another name, no
 * check tripping over what an earlier one already refused, and what is allowed stays allowed.
 */
import t from 'tap'
import { validate } from '../src/validation/spec.js'
import { MINIMAL_CONFIG } from './fixtures/helpers.js'

const base = { configYAML: MINIMAL_CONFIG }
/** A configYAML whose one source reads the file at `path`. */
const fileConfig = (path: string) => MINIMAL_CONFIG.replace('kubernetes: {}', `file: {path: ${path}}\n    syncPolicy: {interval: 1h}`)
const notMounted = (path: string) => ({
  field: 'spec.configYAML line 3, sources[0].file.path',
  message: `${path} is not under any volumeMount of the registry-api container; add a volume and a volumeMount whose mountPath contains this file`,
})

const rows: [string, unknown, { field: string; message: string }[]][] = [
  ['a volumeMount that is not an object is refused as such', { ...base, volumeMounts: [null] }, [{ field: 'spec.volumeMounts[0]', message: 'must be object; correct the value' }]],
  [
    'a volumeMount without a name: name is required, and it is not also a mount of an unknown volume',
    { ...base, volumeMounts: [{ mountPath: '/d' }] },
    [{ field: 'spec.volumeMounts[0]', message: 'name is required; add it' }],
  ],
  [
    'a volumeMount with neither name nor mountPath names both',
    { ...base, volumeMounts: [{}] },
    [{ field: 'spec.volumeMounts[0]', message: 'name and mountPath are required; add them' }],
  ],
  [
    'volumeMounts without a mountPath: each is required once, and a file source is under none of them',
    { configYAML: fileConfig('/data/r.json'), volumes: [{ name: 'd', emptyDir: {} }], volumeMounts: [{ name: 'd' }, { name: 'd' }] },
    [
      { field: 'spec.volumeMounts[0]', message: 'mountPath is required; add it' },
      { field: 'spec.volumeMounts[1]', message: 'mountPath is required; add it' },
      notMounted('/data/r.json'),
    ],
  ],
  [
    'a volumeMount with an empty name',
    { ...base, volumeMounts: [{ name: '', mountPath: '/d' }] },
    [
      { field: 'spec.volumeMounts[0].name', message: 'must not be empty; give a value' },
      { field: 'spec.volumeMounts[0].name', message: "mounts volume '', which no volume defines; add it to spec.volumes or fix the name" },
    ],
  ],
  [
    'a volume with an empty name',
    { ...base, volumes: [{ name: '', emptyDir: {} }] },
    [
      { field: 'spec.volumes[0].name', message: 'must not be empty; give a value' },
      { field: 'spec.volumes[0].name', message: "'' is not a valid volume name (a DNS label: lower-case letters, digits and '-', at most 63 characters); rename it" },
    ],
  ],
  [
    'a podTemplateSpec volume without a name',
    { ...base, podTemplateSpec: { spec: { volumes: [{ emptyDir: {} }] } } },
    [{ field: 'spec.podTemplateSpec.spec.volumes[0]', message: 'name is required; add it' }],
  ],
  [
    'a podTemplateSpec env var without a name',
    { ...base, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', env: [{ value: 'x' }] }] } } },
    [{ field: 'spec.podTemplateSpec.spec.containers[0].env[0]', message: 'name is required; add it' }],
  ],
  [
    'a podTemplateSpec pull secret without a name',
    { ...base, podTemplateSpec: { spec: { imagePullSecrets: [{}] } } },
    [{ field: 'spec.podTemplateSpec.spec.imagePullSecrets[0]', message: 'name is required; add it' }],
  ],
  [
    'a networkPolicy ipBlock with an empty cidr',
    { ...base, networkPolicy: { enabled: true, from: [{ ipBlock: { cidr: '' } }] } },
    [{ field: 'spec.networkPolicy.from[0].ipBlock.cidr', message: 'must not be empty; give a value' }],
  ],
  [
    "only the registry-api container's mounts hold the files configYAML reads, not a sidecar's listed first",
    {
      configYAML: fileConfig('/side/r.json'),
      podTemplateSpec: { spec: { volumes: [{ name: 'd', emptyDir: {} }], containers: [{ name: 'sidecar', volumeMounts: [{ name: 'd', mountPath: '/side' }] }, { name: 'registry-api' }] } },
    },
    [notMounted('/side/r.json')],
  ],
  [
    "a sidecar listed first may mount at /config; the registry-api container's mount at /tmp is the one refused",
    {
      ...base,
      volumes: [{ name: 'a', emptyDir: {} }],
      podTemplateSpec: {
        spec: {
          containers: [
            { name: 'sidecar', volumeMounts: [{ name: 'a', mountPath: '/config' }] },
            { name: 'registry-api', volumeMounts: [{ name: 'a', mountPath: '/tmp' }] },
          ],
        },
      },
    },
    [{ field: 'spec.podTemplateSpec.spec.containers[1].volumeMounts[0].mountPath', message: "duplicate mount path '/tmp' (already used by the writable /tmp); choose another path" }],
  ],
  [
    'without pgpassSecretRef the pgpass names and path are free to use',
    {
      ...base,
      volumes: [{ name: 'pgpass', emptyDir: {} }, { name: 'pgpass-secret', emptyDir: {} }],
      volumeMounts: [{ name: 'pgpass', mountPath: '/home/appuser/.pgpass' }],
      podTemplateSpec: { spec: { initContainers: [{ name: 'setup-pgpass' }] } },
    },
    [],
  ],
]

for (const [name, spec, expected] of rows) {
  t.test(name, async (t) => {
    t.same(validate('reg', spec).issues, expected)
  })
}
