/**
 * What a /sync request may look like beyond the bad-input table of test/http.test.ts: both served versions of
 * the parent are served, and an observed child's metadata has Kubernetes' own limits.
 */
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { MINIMAL_CONFIG, NOW, request, settings } from './fixtures/helpers.js'

const app = buildApp({ settings: settings(), now: () => NOW })
t.teardown(() => app.close())
const post = (payload: unknown) => app.inject({ method: 'POST', url: '/sync', payload: payload as object })

t.test('an MCPRegistry of the older served version, v1alpha1, is served like v1beta1', async (t) => {
  const body = request({ configYAML: MINIMAL_CONFIG })
  const older = await post({ ...body, parent: { ...body.parent, apiVersion: 'toolhive.stacklok.dev/v1alpha1' } })
  const newer = await post(body)
  t.equal(older.statusCode, 200)
  t.equal(older.body, newer.body, 'the same children and status')
})

t.test('an observed child whose namespace is longer than a DNS label is refused, naming the field', async (t) => {
  const child = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n'.repeat(64) } }
  const res = await post(request({ configYAML: MINIMAL_CONFIG }, { children: { 'ConfigMap.v1': { a: child } } }))
  t.equal(res.statusCode, 400)
  t.match(res.json(), { statusCode: 400, field: 'children.ConfigMap.v1.a.metadata.namespace', message: /^children\.ConfigMap\.v1\.a\.metadata\.namespace: must NOT have more than 63 characters/ })
})
