/**
 * The hook's log through Fastify's inject: one line per hook call at info, written by the hook with the parent's
 * identity (Fastify's own request lines are off), and each request on arrival at debug.
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { buildApp } from '../src/http/app.js'
import { MINIMAL_CONFIG, NOW, request, settings } from './fixtures/helpers.js'

function build(t: Test, level: 'info' | 'debug') {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  const app = buildApp({ settings: settings(), logger: pino({ level }, stream), now: () => NOW })
  t.teardown(() => app.close())
  return { app, lines }
}

t.test("at info, a hook call writes one line, the hook's own, and none of Fastify's request lines", async (t) => {
  const { app, lines } = build(t, 'info')
  const res = await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })
  t.equal(res.statusCode, 200)
  await app.inject('/healthz')
  t.same(lines.map((l) => [l['level'], l['msg']]), [[30, 'sync']], 'no "incoming request" or "request completed" lines, and nothing for a probe')
})

t.test('at debug, every request is logged on arrival with its method and URL', async (t) => {
  const { app, lines } = build(t, 'debug')
  await app.inject({ method: 'POST', url: '/finalize?from=test', payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true }) })
  await app.inject('/healthz')
  t.same(
    lines.filter((l) => l['level'] === 20).map((l) => [l['msg'], l['method'], l['url']]),
    [
      ['request received', 'POST', '/finalize?from=test'],
      ['request received', 'GET', '/healthz'],
    ],
  )
})

t.test('the line of a finalize call says finalizing: true', async (t) => {
  const { app, lines } = build(t, 'info')
  await app.inject({ method: 'POST', url: '/finalize', payload: request({ configYAML: MINIMAL_CONFIG }, { finalizing: true }) })
  t.match(lines, [{ msg: 'sync', namespace: 'ns1', name: 'reg', generation: 1, finalizing: true, phase: 'Terminating', children: 0 }])
})

t.test('durationMs is the time the hook took, in milliseconds: above zero, within the time the call took', async (t) => {
  const { app, lines } = build(t, 'info')
  const started = performance.now()
  const res = await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: MINIMAL_CONFIG }) })
  const aroundMs = performance.now() - started
  t.equal(res.statusCode, 200)
  const durationMs = lines.find((l) => l['msg'] === 'sync')?.['durationMs'] as number
  t.ok(durationMs > 0 && durationMs <= aroundMs, `0 < durationMs ${durationMs} <= ${aroundMs}, the milliseconds measured around the call`)
})
