/** Registry data checks (SPEC §4, U§6): ConfigMaps exist, keys exist, documents are what the server accepts. */
import t from 'tap'
import { checkRegistryData, checkRegistryDocument, mountedConfigMaps } from '../src/validation/registry-data.js'
import type { Volume } from '../src/basics/k8s-types.js'
import type { KubeObject } from '../src/schema/hook.js'

const doc = (servers: unknown[]) => JSON.stringify({ version: '1.0.0', meta: { last_updated: '2026-11-01T12:00:00Z' }, data: { servers } })
const server = { name: 'io.github.example/fs', description: 'Filesystem', version: '1.0.0', packages: [{ registryType: 'oci', identifier: 'x', transport: { type: 'stdio' } }] }
const cm = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data })

t.test('registry documents', async (t) => {
  t.same(checkRegistryDocument(doc([server, { ...server, name: 'io.github.example/b' }])), { servers: 2 })
  t.same(checkRegistryDocument('{'), { problem: `is not JSON (${(() => { try { JSON.parse('{') } catch (e) { return (e as Error).message } return '' })()})` })
  t.same(checkRegistryDocument(doc([])), { problem: 'data.servers: needs at least one server (the server refuses an empty registry)' })
  t.match(checkRegistryDocument(doc([{ ...server, description: '' }])), { problem: /^data\.servers\[0\]\.description:/ })
  t.match(checkRegistryDocument(doc([{ ...server, name: 'no-slash' }])), { problem: /^data\.servers\[0\]\.name: must match/ })
  t.same(checkRegistryDocument(JSON.stringify({ version: '1.0.0', meta: {}, data: { servers: [server] } })), { problem: 'meta.last_updated is required' })
  t.same(checkRegistryDocument(JSON.stringify({ version: '1.0.0', meta: { last_updated: '2026-13-01T00:00:00Z' }, data: { servers: [server] } })), { problem: 'meta.last_updated: must match format "date-time"' })
  t.same(checkRegistryDocument(doc([{ ...server, remotes: [{ type: 'websocket', url: 'https://x.example.com' }] }])), { problem: 'data.servers[0].remotes[0].type: must be one of "streamable-http"' })
  t.same(checkRegistryDocument(' \n'), { problem: 'is empty' })
  t.same(checkRegistryDocument(doc([{ ...server, _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { 'io.github.stacklok': 7 } } }])), {
    problem: 'data.servers[0]._meta["io.modelcontextprotocol.registry/publisher-provided"].io.github.stacklok: must be object',
  }, 'the publisher-provided extension has a schema of its own')
  t.match(checkRegistryDocument('[]'), { problem: /^the document: must be object/ })
  t.match(
    checkRegistryDocument(JSON.stringify({ version: '1', servers: {} })),
    { problem: 'meta is required' },
    'the legacy ToolHive format is rejected, as by the server',
  )
})

t.test('mounted ConfigMaps: direct and projected, with their items', async (t) => {
  t.same(
    mountedConfigMaps([
      { name: 'a', configMap: { name: 'one', items: [{ key: 'k', path: 'p' }] } },
      { name: 'b', projected: { sources: [{ configMap: { name: 'two', optional: true } }, { secret: { name: 's' } }] } },
      { name: 'c', secret: { secretName: 's' } },
      { name: 'd', configMap: {} },
      { name: 'e', configMap: { name: '' } },
      // user input of any shape: customize reads volumes before validation
      { name: 'f', projected: { sources: [null, 'x', { configMap: { name: 'three', items: [{ key: 'k', path: 'p' }, { key: 1, path: 'q' }, { key: 'k2' }, 'junk'] } }] } } as unknown as Volume,
    ]),
    [
      { volume: 'a', configMap: 'one', optional: false, items: [{ key: 'k', path: 'p' }] },
      { volume: 'b', configMap: 'two', optional: true },
      { volume: 'f', configMap: 'three', optional: false, items: [{ key: 'k', path: 'p' }] },
    ],
    'ConfigMaps without a name, sources that are not objects and items without a string key and path are left out',
  )
})

const volumes = [{ name: 'data', configMap: { name: 'reg-data', items: [{ key: 'registry.json', path: 'registry.json' }] } }]
const mounts = [{ name: 'data', mountPath: '/data' }]
const config = (path = '/data/registry.json') => ({ sources: 1, registries: 1, fileSources: [{ name: 'team', path }] })

t.test('no ConfigMap mounted: no condition', async (t) => {
  t.equal(checkRegistryData([{ name: 'x', emptyDir: {} }], [], config(), {}), undefined)
})

t.test('valid data counts the servers', async (t) => {
  t.same(checkRegistryData(volumes, mounts, config(), { 'reg-data': cm('reg-data', { 'registry.json': doc([server]) }) }), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Registry data is valid: source team has 1 server',
  })
})

t.test('a missing ConfigMap', async (t) => {
  t.same(checkRegistryData(volumes, mounts, config(), {}), {
    status: 'False',
    reason: 'ConfigMapNotFound',
    message: 'ConfigMap reg-data (volume data) does not exist in this namespace; create it: the registry pod cannot start without it',
  })
})

t.test('an optional ConfigMap may be missing, and the condition says it is missing', async (t) => {
  const optional = [{ name: 'data', configMap: { name: 'reg-data', optional: true } }]
  t.same(checkRegistryData(optional, mounts, config(), {}), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Optional ConfigMap reg-data not present (the pod starts without it)',
  })
  const two = [...optional, { name: 'more', configMap: { name: 'present' } }, { name: 'gone', configMap: { name: 'also-gone', optional: true } }]
  t.same(checkRegistryData(two, mounts, { sources: 1, registries: 1, fileSources: [] }, { p: cm('present', {}) }), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Mounted ConfigMaps exist: present; optional ConfigMaps reg-data, also-gone not present (the pod starts without them)',
  })
})

t.test('an optional ConfigMap whose listed key is missing does not fail the registry', async (t) => {
  const optional = [{ name: 'data', configMap: { name: 'reg-data', optional: true, items: [{ key: 'registry.json', path: 'registry.json' }] } }]
  t.same(checkRegistryData(optional, mounts, { sources: 1, registries: 1, fileSources: [] }, { x: cm('reg-data', { other: '{}' }) }), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Mounted ConfigMaps exist: reg-data',
  })
})

t.test('a projected volume: the ConfigMap that projects the file holds the document, not the first one', async (t) => {
  const projected = [
    {
      name: 'data',
      projected: {
        sources: [
          { configMap: { name: 'first', items: [{ key: 'a.json', path: 'a.json' }] } },
          { configMap: { name: 'second', items: [{ key: 'registry.json', path: 'team/registry.json' }] } },
        ],
      },
    },
  ]
  const related = { f: cm('first', { 'a.json': doc([server]) }), s: cm('second', { 'registry.json': doc([server, server]) }) }
  t.same(checkRegistryData(projected, mounts, config('/data/team/registry.json'), related), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Registry data is valid: source team has 2 servers',
  })
  t.same(checkRegistryData(projected, mounts, config('/data/nothing.json'), related), {
    status: 'False',
    reason: 'KeyNotFound',
    message: 'source team reads /data/nothing.json, but no ConfigMap of volume data (first, second) projects a key to that file; fix file.path, the volume items or the ConfigMap',
  })
})

t.test('a missing key', async (t) => {
  t.match(checkRegistryData(volumes, mounts, config(), { x: cm('reg-data', { other: '{}' }) }), {
    status: 'False',
    reason: 'KeyNotFound',
    message: 'ConfigMap reg-data has no key registry.json (volume data projects it); add the key or fix spec.volumes',
  })
  const all = [{ name: 'data', configMap: { name: 'reg-data' } }]
  t.match(checkRegistryData(all, mounts, config('/data/other.json'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), {
    reason: 'KeyNotFound',
    message: /^source team reads \/data\/other\.json, but no ConfigMap of volume data \(reg-data\) projects a key to that file/,
  })
  t.match(checkRegistryData(volumes, mounts, config('/data/elsewhere.json'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), { reason: 'KeyNotFound' }, 'items decide the file names')
})

t.test('invalid registry data', async (t) => {
  t.match(checkRegistryData(volumes, mounts, config(), { x: cm('reg-data', { 'registry.json': doc([]) }) }), {
    status: 'False',
    reason: 'InvalidRegistryData',
    message: 'ConfigMap reg-data key registry.json (source team) is not a registry document the server accepts: data.servers: needs at least one server (the server refuses an empty registry)',
  })
})

t.test('without items every key is a file; the deepest mount wins; subPath mounts a single key', async (t) => {
  const vols = [
    { name: 'outer', emptyDir: {} },
    { name: 'inner', configMap: { name: 'inner-data' } },
    { name: 'single', configMap: { name: 'single-data' } },
  ]
  const mts = [
    { name: 'outer', mountPath: '/reg' },
    { name: 'inner', mountPath: '/reg/team/' },
    { name: 'single', mountPath: '/one.json', subPath: 'data.json' },
  ]
  const related = {
    a: cm('inner-data', { 'r.json': doc([server]) }),
    b: cm('single-data', { 'data.json': doc([server, server]) }),
  }
  const cfg = { sources: 3, registries: 1, fileSources: [{ name: 'team', path: '/reg/team/r.json' }, { name: 'one', path: '/one.json' }, { name: 'scratch', path: '/reg/x.json' }] }
  t.same(checkRegistryData(vols, mts, cfg, related), { status: 'True', reason: 'RegistryDataValid', message: 'Registry data is valid: source team has 1 server, source one has 2 servers' })
  t.match(checkRegistryData(vols, mts, cfg, { a: related.a }), { reason: 'ConfigMapNotFound', message: /single-data/ })
})

t.test('a listed key that lives in binaryData exists', async (t) => {
  const listed = [{ name: 'data', configMap: { name: 'reg-data', items: [{ key: 'logo.png', path: 'logo.png' }] } }]
  const binary: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reg-data' }, binaryData: { 'logo.png': 'iVBORw0K' } }
  t.same(checkRegistryData(listed, mounts, { sources: 1, registries: 1, fileSources: [] }, { x: binary }), { status: 'True', reason: 'RegistryDataValid', message: 'Mounted ConfigMaps exist: reg-data' })
})

t.test('a projected volume whose only ConfigMap with the file is optional and absent, beside one without it: KeyNotFound', async (t) => {
  const projected = [{ name: 'data', projected: { sources: [{ configMap: { name: 'gone', optional: true } }, { configMap: { name: 'here' } }] } }]
  t.match(checkRegistryData(projected, mounts, config('/data/registry.json'), { h: cm('here', { other: '{}' }) }), { status: 'False', reason: 'KeyNotFound' })
  t.match(checkRegistryData(projected, mounts, config('/data/registry.json'), { h: cm('here', { other: '{}' }), g: cm('gone', { other: '{}' }) }), { status: 'False', reason: 'KeyNotFound' }, 'present but without the key')
})

t.test('the message lists every mounted ConfigMap', async (t) => {
  const two = [{ name: 'a', configMap: { name: 'one' } }, { name: 'b', configMap: { name: 'two' } }]
  t.same(checkRegistryData(two, mounts, { sources: 1, registries: 1, fileSources: [] }, { o: cm('one', {}), t: cm('two', {}) }), { status: 'True', reason: 'RegistryDataValid', message: 'Mounted ConfigMaps exist: one, two' })
})

t.test('a key in binaryData is the file the kubelet writes: its decoded text is checked', async (t) => {
  const all = [{ name: 'data', configMap: { name: 'reg-data' } }]
  const binary = (text: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reg-data' }, binaryData: { 'registry.json': Buffer.from(text).toString('base64') } })
  t.same(checkRegistryData(all, mounts, config(), { x: binary(doc([server])) }), { status: 'True', reason: 'RegistryDataValid', message: 'Registry data is valid: source team has 1 server' })
  t.same(checkRegistryData(all, mounts, config(), { x: binary('{}') }), {
    status: 'False',
    reason: 'InvalidRegistryData',
    message: 'ConfigMap reg-data key registry.json (source team) is not a registry document the server accepts: version is required',
  })
})

t.test('mountPaths of many slashes are read in linear time', { timeout: 20_000 }, async (t) => {
  const all = [{ name: 'data', configMap: { name: 'reg-data' } }]
  // a backtracking trim (/\/+$/) takes minutes on the second path; a loop takes microseconds
  const slashes = [{ name: 'data', mountPath: `/data${'/'.repeat(100_000)}` }, { name: 'data', mountPath: `/x${'/'.repeat(100_000)}y` }]
  t.match(checkRegistryData(all, slashes, config(), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), { reason: 'RegistryDataValid', message: 'Registry data is valid: source team has 1 server' })
})

t.test('a file source under no mount reads no ConfigMap (the config check reports it)', async (t) => {
  t.same(checkRegistryData(volumes, mounts, config('/elsewhere/registry.json'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Mounted ConfigMaps exist: reg-data',
  })
})

t.test('a file source at a directory mount path projects no key', async (t) => {
  const all = [{ name: 'data', configMap: { name: 'reg-data' } }]
  t.match(checkRegistryData(all, mounts, config('/data'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), { reason: 'KeyNotFound' })
})

t.test('a file source outside the user mounts (the writable /tmp every pod has) is not a ConfigMap file', async (t) => {
  t.same(checkRegistryData(volumes, mounts, config('/tmp/registry.json'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), {
    status: 'True',
    reason: 'RegistryDataValid',
    message: 'Mounted ConfigMaps exist: reg-data',
  })
})

t.test('an optional ConfigMap that is present must still project the file a source reads', async (t) => {
  const optional = [{ name: 'data', configMap: { name: 'reg-data', optional: true, items: [{ key: 'registry.json', path: 'registry.json' }] } }]
  t.same(checkRegistryData(optional, mounts, config('/data/nothing.json'), { x: cm('reg-data', { 'registry.json': doc([server]) }) }), {
    status: 'False',
    reason: 'KeyNotFound',
    message: 'source team reads /data/nothing.json, but no ConfigMap of volume data (reg-data) projects a key to that file; fix file.path, the volume items or the ConfigMap',
  })
})
