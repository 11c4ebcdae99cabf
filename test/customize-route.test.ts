/** POST /customize through Fastify's inject: its answer's Content-Type, and no ETag logic (sync routes only). */
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { settings } from './fixtures/helpers.js'

const CUSTOMIZE = JSON.stringify({
  controller: {},
  parent: { apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPRegistry', metadata: { name: 'r', namespace: 'ns1' }, spec: { volumes: [{ name: 'd', configMap: { name: 'data' } }] } },
})
const RELATED = { relatedResources: [{ apiVersion: 'v1', resource: 'configmaps', namespace: 'ns1', names: ['data'] }] }

t.test('POST /customize answers application/json; charset=utf-8', async (t) => {
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/customize', headers: { 'content-type': 'application/json' }, payload: CUSTOMIZE })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.same(res.json(), RELATED)
})

t.test('an If-None-Match naming the ETag /sync gives the same bytes is not a 304 on /customize: the full answer', async (t) => {
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  const headers = { 'content-type': 'application/json' }
  const synced = await app.inject({ method: 'POST', url: '/sync', headers, payload: CUSTOMIZE })
  const etag = synced.headers['etag'] as string
  t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, '/sync answered these bytes with an ETag')
  t.equal((await app.inject({ method: 'POST', url: '/sync', headers: { ...headers, 'if-none-match': etag }, payload: CUSTOMIZE })).statusCode, 304, 'which /sync honours')
  const res = await app.inject({ method: 'POST', url: '/customize', headers: { ...headers, 'if-none-match': etag }, payload: CUSTOMIZE })
  t.equal(res.statusCode, 200)
  t.same(res.json(), RELATED)
})
