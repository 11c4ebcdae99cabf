/**
 * The content caches (src/basics/content-cache.ts): a cache never changes an answer. Every example, valid or not,
 * with registry data or without, gets byte-identical answers from sync() without caches, with a cold cache
 * and with a warm one, and through HTTP from an app whose caches are off.
 */
import { readdirSync } from 'node:fs'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { contentKey, ContentCaches } from '../src/basics/content-cache.js'
import { serialise, sync } from '../src/hook.js'
import type { SyncRequest } from '../src/schema/hook.js'
import { exampleRequest, MINIMAL_CONFIG, NOW, readText, request, root, settings } from './fixtures/helpers.js'

const files = ['', 'invalid/', 'pending/'].flatMap((dir) =>
  readdirSync(new URL(`examples/${dir}`, root))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `examples/${dir}${f}`),
)

/** Every example, plus requests whose registry data is missing, broken or valid, and a bad configYAML. */
function requests(): [string, SyncRequest][] {
  const out: [string, SyncRequest][] = files.map((f) => [f, exampleRequest(f)])
  out.push(['examples/sync-request.json', JSON.parse(readText('examples/sync-request.json')) as SyncRequest])
  const broken = exampleRequest('examples/configmap.yaml')
  ;(broken.related!['ConfigMap.v1']!['team-registry-data'] as Record<string, unknown>)['data'] = { 'registry.json': '{"data": {"servers": []}}' }
  out.push(['registry data with no server', broken])
  const notJson = exampleRequest('examples/configmap.yaml')
  ;(notJson.related!['ConfigMap.v1']!['team-registry-data'] as Record<string, unknown>)['data'] = { 'registry.json': 'servers: []' }
  out.push(['registry data that is not JSON', notJson])
  out.push(['a configYAML that does not parse', request({ configYAML: 'sources: [' })])
  out.push(['a valid configYAML', request({ configYAML: MINIMAL_CONFIG })])
  return out
}

t.test('cached and uncached answers are byte-identical, cold and warm', async (t) => {
  const s = settings()
  const caches = new ContentCaches(100)
  for (const [name, req] of requests()) {
    const uncached = serialise(sync(structuredClone(req), s, NOW).response)
    const cold = serialise(sync(structuredClone(req), s, NOW, caches).response)
    const warm = serialise(sync(structuredClone(req), s, NOW, caches).response)
    t.equal(cold, uncached, `${name}: a cold cache`)
    t.equal(warm, uncached, `${name}: a warm cache`)
  }
  const all = requests().length
  t.ok(caches.counts.render.hits >= all, `every warm call reused its rendered spec (${caches.counts.render.hits} hits)`)
  t.ok(caches.counts.configYAML.hits >= 1, `configYAML checks were reused across specs (${caches.counts.configYAML.hits} hits)`)
  t.ok(caches.counts.registryData.hits >= 3, `registry data checks were reused (${caches.counts.registryData.hits} hits)`)
})

t.test('through HTTP: an app with its caches off answers the same bytes', async (t) => {
  const on = buildApp({ settings: settings(), now: () => NOW })
  const off = buildApp({ settings: settings(), now: () => NOW, caches: new ContentCaches(0) })
  t.teardown(async () => {
    await on.close()
    await off.close()
  })
  for (const [name, req] of requests()) {
    const payload = JSON.stringify(req)
    for (let round = 0; round < 2; round++) {
      const a = await on.inject({ method: 'POST', url: '/sync', payload, headers: { 'content-type': 'application/json' } })
      const b = await off.inject({ method: 'POST', url: '/sync', payload, headers: { 'content-type': 'application/json' } })
      t.equal(a.statusCode, 200)
      t.equal(a.body, b.body, `${name}, round ${round + 1}`)
      t.equal(a.headers['etag'], b.headers['etag'], 'and the same ETag: the settings are the same')
    }
  }
})

t.test('the render key holds the name, namespace, spec, annotations and settings: any of them renders again', async (t) => {
  const caches = new ContentCaches(100)
  const s = settings()
  const base = request({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { hostNetwork: true } } })
  const answer = (req: SyncRequest, set = s) => serialise(sync(req, set, NOW, caches).response)
  const variants: [string, SyncRequest, ReturnType<typeof settings>?][] = [
    ['the same', structuredClone(base)],
    ['another name', request(base.parent.spec, {}, 'other')],
    ['another namespace', { ...structuredClone(base), parent: { ...structuredClone(base.parent), metadata: { ...base.parent.metadata, namespace: 'ns2' } } }],
    ['another spec', request({ configYAML: MINIMAL_CONFIG })],
    ['an annotation that relaxes the profile', { ...structuredClone(base), parent: { ...structuredClone(base.parent), metadata: { ...base.parent.metadata, annotations: { 'mcpregistry-hook.toolhive.stacklok.dev/pod-security': 'privileged' } } } }, settings({ POD_SECURITY_MAX_PROFILE: 'privileged' })],
    ['other settings', structuredClone(base), settings({ POD_SECURITY_PROFILE: 'privileged' })],
  ]
  for (const [what, req, set] of variants) {
    t.equal(answer(structuredClone(req), set ?? s), serialise(sync(structuredClone(req), set ?? s, NOW).response), `${what}: the uncached answer`)
  }
  t.equal(answer(base), answer(structuredClone(base)))
  t.match(JSON.parse(answer(base)).status, { phase: 'Failed' }, 'hostNetwork breaks the restricted profile')
  t.match(JSON.parse(answer(base, settings({ POD_SECURITY_PROFILE: 'privileged' }))).status, { phase: 'Pending' }, 'not the privileged one: settings are in the key')
})

t.test('specs that cannot be a key (absent, nested past JSON.stringify) are answered without the render cache', async (t) => {
  const caches = new ContentCaches(10)
  const deep = JSON.parse(`{"configYAML":"x","volumes":[${'['.repeat(20_000)}${']'.repeat(20_000)}]}`)
  for (const spec of [undefined, deep]) {
    const req = request(spec)
    t.equal(serialise(sync(req, settings(), NOW, caches).response), serialise(sync(req, settings(), NOW).response))
    t.match(sync(req, settings(), NOW, caches).response.status, { phase: 'Failed' })
  }
  t.equal(caches.size('render'), 1, 'only the absent spec was cached')
})

t.test('a cache is an LRU of its size, counts hits and misses, and keeps deep-frozen results', async (t) => {
  const caches = new ContentCaches(2)
  let computed = 0
  const get = (text: string) => caches.get('configYAML', [text], () => ({ text, nested: { list: [++computed] } }))
  const a = get('a')
  t.equal(get('a'), a, 'a hit returns the cached result')
  get('b')
  get('c') // evicts a, the least recently used
  t.equal(caches.size('configYAML'), 2)
  t.not(get('a'), a, 'an evicted entry is computed again')
  t.equal(computed, 4)
  t.same(caches.counts.configYAML, { hits: 1, misses: 4 })
  t.same(caches.counts.registryData, { hits: 0, misses: 0 }, 'each cache counts its own')
  t.throws(() => {
    ;(a.nested.list as number[]).push(1)
  }, TypeError, 'a cached result cannot be changed by a caller')
  t.equal(caches.get('registryData', ['x'], () => 1), 1, 'primitive results are cached too')
  t.equal(caches.get('registryData', ['x'], () => 2), 1)
})

t.test('CACHE_ENTRIES=0 turns caching off: every lookup computes and counts as a miss', async (t) => {
  const caches = new ContentCaches(0)
  let computed = 0
  caches.get('configYAML', ['a'], () => ++computed)
  caches.get('configYAML', ['a'], () => ++computed)
  t.equal(computed, 2)
  t.same(caches.counts.configYAML, { hits: 0, misses: 2 })
  t.equal(caches.size('configYAML'), 0)
})

t.test('keys: the same parts give the same key, and no two lists of parts share one', async (t) => {
  t.equal(contentKey(['a', 'b']), contentKey(['a', 'b']))
  t.not(contentKey(['ab', 'c']), contentKey(['a', 'bc']))
  t.not(contentKey(['a:', 'b']), contentKey(['a', ':b']))
  t.not(contentKey(['']), contentKey([]))
  t.match(contentKey(['x']), /^[A-Za-z0-9_-]{43}$/, 'a base64url SHA-256')
})

t.test('the configYAML key holds the mounts and the image: the same text checks differently with others', async (t) => {
  const caches = new ContentCaches(10)
  const config = 'sources:\n  - name: f\n    file:\n      path: /data/registry.json\n    syncPolicy:\n      interval: 1h\nregistries:\n  - name: default\n    sources: [f]\ndatabase: {host: h, port: 5432, user: u, database: d}\nauth: {mode: anonymous}\n'
  const mounted = { configYAML: config, volumes: [{ name: 'd', emptyDir: {} }], volumeMounts: [{ name: 'd', mountPath: '/data' }] }
  const unmounted = { configYAML: config }
  const phase = (spec: unknown, env: Record<string, string> = {}) => sync(request(spec), settings(env), NOW, caches).response.status['phase']
  t.equal(phase(mounted), 'Pending')
  t.equal(phase(unmounted), 'Failed', 'the file is under no mount now')
  t.equal(phase(mounted), 'Pending')
  const apiConfig = 'sources: [{name: f, api: {endpoint: "https://r.example.com", timeout: 10m}, syncPolicy: {interval: 1h}}]\n' + config.slice(config.indexOf('registries'))
  t.equal(phase({ configYAML: apiConfig }), 'Failed', 'v1.5 refuses an api.timeout over 5m')
  const older = phase({ configYAML: apiConfig }, { TOOLHIVE_REGISTRY_API_IMAGE: 'ghcr.io/stacklok/thv-registry-api:v1.3.0' })
  t.not(older, 'Failed', 'v1.3 does not check api.timeout: the image is part of the key')
})

t.test('/metrics shows each cache\'s hits, misses and entries', async (t) => {
  const app = buildApp({ settings: settings(), now: () => NOW })
  t.teardown(() => app.close())
  const payload = JSON.stringify(exampleRequest('examples/configmap.yaml'))
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/sync', payload, headers: { 'content-type': 'application/json' } })
  const text = (await app.inject('/metrics')).body
  t.match(text, /# TYPE mcpregistry_hook_cache_lookups_total counter/)
  t.match(text, /mcpregistry_hook_cache_lookups_total\{cache="render",result="hit"\} 2\n/, 'the same spec twice more: two hits')
  t.match(text, /mcpregistry_hook_cache_lookups_total\{cache="render",result="miss"\} 1\n/)
  t.match(text, /mcpregistry_hook_cache_lookups_total\{cache="registryData",result="hit"\} 2\n/, 'the registry data is checked on every sync, from the cache')
  t.match(text, /mcpregistry_hook_cache_lookups_total\{cache="configYAML",result="miss"\} 1\n/)
  t.match(text, /mcpregistry_hook_cache_entries\{cache="render"\} 1\n/)
  t.match(text, /mcpregistry_hook_cache_entries\{cache="configYAML"\} 1\n/)
  const again = (await app.inject('/metrics')).body
  t.match(again, /mcpregistry_hook_cache_lookups_total\{cache="render",result="hit"\} 2\n/, 'a scrape does not count twice')
})
