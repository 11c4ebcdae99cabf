/**
 * REQUEST_TIMEOUT_SECONDS bounds the body too (Node stops counting once the headers are in): a client whose body
 * stalls is cut off, whatever its method and route, and the hook logs why. On a real socket in this process;
 * every wait is for an event (the connection's end), none is for a fixed time.
 */
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { buildApp } from '../src/http/app.js'
import { settings } from './fixtures/helpers.js'

/** The app listening on a free port of 127.0.0.1, its log lines parsed. */
async function listen(t: Test, env: Record<string, string>) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  const app = buildApp({ settings: settings(env), logger: pino({ level: 'info' }, stream) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: (app.server.address() as AddressInfo).port, lines }
}

/** A request announcing a 1000-byte JSON body and sending only its first 10 bytes; resolves with its end. */
function stall(port: number, method: string, path: string) {
  return new Promise<{ status: number } | { error: string }>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', 'content-length': 1000 } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }))
    })
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }))
    req.write('{"parent":')
  })
}

t.test('a body that stalls is cut off after REQUEST_TIMEOUT_SECONDS, whatever the method, and the hook says why', async (t) => {
  const { port, lines } = await listen(t, { REQUEST_TIMEOUT_SECONDS: '1' })
  // the hook's routes, and the methods and routes it has not (answered 404 only once the body is in)
  const calls = [
    ['POST', '/sync'],
    ['POST', '/finalize'],
    ['POST', '/customize'],
    ['POST', '/nope'],
    ['PUT', '/sync'],
    ['PATCH', '/finalize'],
    ['DELETE', '/customize'],
    ['OPTIONS', '/sync'],
  ]
  const ends = await Promise.all(calls.map(([method, path]) => stall(port, method as string, path as string)))
  t.same(ends, calls.map(() => ({ error: 'ECONNRESET' })), 'each connection is closed, none answered')
  const warned = lines.filter((l) => l['level'] === 40).map((l) => [l['method'], l['url'], l['msg']])
  const why = 'request body not received within REQUEST_TIMEOUT_SECONDS: closing the connection'
  t.same(warned.sort(), calls.map(([method, path]) => [method, path, why]).sort(), 'one warning per connection, with its method and URL')
})
