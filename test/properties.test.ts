/**
 * Properties over random input (fast-check, seeded so a failure replays): whatever the request holds, the
 * hook answers without a 5xx, a finalize always finalizes, and quantities reach a fixed point.
 */
import fc from 'fast-check'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { sync } from '../src/hook.js'
import { canonicalQuantity } from '../src/basics/quantity.js'
import { MINIMAL_CONFIG, NOW, request, settings } from './fixtures/helpers.js'

const SEED = 20261201
const S = settings()

t.test('a quantity written as the API server stores it stays as it is (canonical form is a fixed point)', async (t) => {
  const quantity = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.tuple(fc.constantFrom('', '+', '-'), fc.stringMatching(/^\d{0,20}(\.\d{0,12})?$/), fc.constantFrom('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'E-2', 'n', 'u')).map(([s, n, u]) => `${s}${n}${u}`),
  )
  fc.assert(
    fc.property(quantity, fc.boolean(), (q, inList) => {
      const once = canonicalQuantity(q, inList)
      return once === undefined || canonicalQuantity(once, inList) === once
    }),
    { seed: SEED, numRuns: 3000 },
  )
  t.pass('3000 random quantities')
})

t.test('any configYAML text: a sync answers, and a finalize finalizes', async (t) => {
  const yamlish = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom('sources:', '  - name: a', '    file: {path: /d/x}', '&a [*a, *a]', '*nope', 'database: {host: h}', 'auth: {mode: oauth}', '<<: *a', '---', '  kubernetes:', 'registries: [{name: r, sources: [a]}]', '"\\u0000"', '? [a]'), { maxLength: 12 }).map((lines) => lines.join('\n')),
  )
  fc.assert(
    fc.property(yamlish, (configYAML) => {
      const answer = sync(request({ configYAML: configYAML === '' ? ' ' : configYAML }), S, NOW).response
      const finalize = sync(request({ configYAML }, { finalizing: true }), S, NOW).response
      return ['Failed', 'Pending'].includes(answer.status['phase'] as string) && finalize.finalized === true && finalize.children.length === 0
    }),
    { seed: SEED, numRuns: 1500 },
  )
  t.pass('1500 random configYAML texts')
})

t.test('any JSON, at any nesting, in the spec or as an observed child: never a 5xx through HTTP', async (t) => {
  const app = buildApp({ settings: S, now: () => NOW })
  t.teardown(() => app.close())
  const json = fc.jsonValue({ maxDepth: 8 })
  const spec = fc.record({ configYAML: fc.constant(MINIMAL_CONFIG), volumes: json, podTemplateSpec: json, networkPolicy: json }, { requiredKeys: ['configYAML'] })
  const codes = new Set<number>()
  await fc.assert(
    fc.asyncProperty(spec, json, fc.boolean(), fc.integer({ min: 0, max: 3000 }), async (s, child, finalizing, depth) => {
      const body = JSON.stringify(request(s, { finalizing, children: { 'Deployment.apps/v1': { 'reg-api': { metadata: { name: 'reg-api' }, spec: 'DEEP', extra: child } } } }))
      const res = await app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: body.replace('"DEEP"', `${'['.repeat(depth)}${']'.repeat(depth)}`) })
      codes.add(res.statusCode)
      return res.statusCode < 500 && (!finalizing || res.statusCode !== 200 || res.json().children.length === 0)
    }),
    { seed: SEED, numRuns: 400 },
  )
  t.ok(codes.has(200), `answered: ${[...codes].join(', ')}`)
})
