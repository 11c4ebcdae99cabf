/**
 * Never a 5xx for a request the hook can answer: specs and observed objects of random shapes, derived from
 * the examples by replacing random parts with random values, always get a 200 (or a 400 for a body that is
 * not a Metacontroller request). Seeded, so a failure reproduces.
 */
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { exampleRequest, NOW, settings } from './fixtures/helpers.js'

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const FILES = ['configmap.yaml', 'pgpass.yaml', 'podtemplate.yaml', 'oauth.yaml', 'imagepullsecrets.yaml']

t.test('random shapes never make the hook fail', async (t) => {
  const rand = prng(20261122)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const randomValue = (depth = 0): unknown => {
    const kinds = depth > 2 ? ['s', 'n', 'b', 'null'] : ['s', 'n', 'b', 'null', 'a', 'o', 'o']
    switch (pick(kinds)) {
      case 's': return pick(['', 'x', '/config', 'registry-api', 'a/b', 'sources: [', '0'])
      case 'n': return pick([0, -1, 1.5, 65536])
      case 'b': return rand() < 0.5
      case 'null': return null
      case 'a': return Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(depth + 1))
      default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) + 1 }, () => [pick(['name', 'items', 'configMap', 'sources', 'spec', 'key', 'path', 'mountPath', 'containers', 'volumes']), randomValue(depth + 1)]))
    }
  }
  /** Replaces one random node of `root` (an object tree) with a random value. */
  const mutate = (root: Record<string, any>): void => {
    let node: any = root
    for (let d = 0; d < 6; d++) {
      const keys = node !== null && typeof node === 'object' ? Object.keys(node) : []
      if (keys.length === 0) return
      const k = pick(keys)
      if (rand() < 0.3 || node[k] === null || typeof node[k] !== 'object') {
        node[k] = randomValue()
        return
      }
      node = node[k]
    }
  }
  const app = buildApp({ settings: settings(), now: () => NOW })
  t.teardown(() => app.close())
  const codes: Record<number, number> = {}
  for (let i = 0; i < 400; i++) {
    const req = exampleRequest(`examples/${pick(FILES)}`, { finalizing: rand() < 0.1 }) as Record<string, any>
    req['related'] = { 'ConfigMap.v1': { junk: { metadata: { name: 'prod-registry' }, data: randomValue() } } }
    req['children'] = { 'Deployment.apps/v1': { 'x-api': { metadata: { name: 'x-api', annotations: { 'metacontroller.k8s.io/last-applied-configuration': '{"metadata":{}}' } }, status: randomValue() } } }
    for (let m = 0; m < 1 + Math.floor(rand() * 3); m++) {
      const spec = req['parent']?.['spec']
      mutate(rand() < 0.8 && spec !== null && typeof spec === 'object' ? spec : req)
    }
    const res = await app.inject({ method: 'POST', url: '/sync', payload: req })
    codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1
    if (res.statusCode >= 500) t.fail(`500 for ${JSON.stringify(req).slice(0, 2000)}`)
    const custom = await app.inject({ method: 'POST', url: '/customize', payload: { parent: req['parent'] ?? null } })
    if (custom.statusCode >= 500) t.fail(`customize 500 for ${JSON.stringify(req['parent']).slice(0, 2000)}`)
  }
  t.ok((codes[200] ?? 0) > 200, `most requests are answered 200 (${JSON.stringify(codes)})`)
  t.notOk(Object.keys(codes).some((c) => Number(c) >= 500), 'no 5xx')
})
